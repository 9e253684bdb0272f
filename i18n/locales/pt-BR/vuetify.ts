// Vuetify's own component texts (table footers, "no data", close buttons…) for this locale.
// With @nuxtjs/i18n present, Vuetify reads its messages through vue-i18n under $vuetify.
import { pt } from 'vuetify/locale'

export default { $vuetify: pt }
