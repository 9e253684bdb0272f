import { defineVuetifyConfiguration } from 'vuetify-nuxt-module/custom-configuration'
import { md3 } from 'vuetify/blueprints'

export default defineVuetifyConfiguration({
  blueprint: md3,
  icons: { defaultSet: 'mdi-svg' },
  theme: {
    defaultTheme: 'light',
    themes: {
      // Error colours from Material 3's tonal palette: #B3261E on light and #FFB4AB on dark
      // surfaces both pass WCAG AA for text (Vuetify's default dark red does not).
      light: { dark: false, colors: { primary: '#1E5B4F', secondary: '#4A635D', error: '#B3261E' } },
      dark: { dark: true, colors: { primary: '#89D5C3', secondary: '#B1CCC5', error: '#FFB4AB' } },
    },
  },
})
