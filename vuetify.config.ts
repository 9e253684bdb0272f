import { defineVuetifyConfiguration } from 'vuetify-nuxt-module/custom-configuration'
import { md3 } from 'vuetify/blueprints'

export default defineVuetifyConfiguration({
  blueprint: md3,
  icons: { defaultSet: 'mdi-svg' },
  theme: {
    defaultTheme: 'light',
    themes: {
      light: { dark: false, colors: { primary: '#1E5B4F', secondary: '#4A635D' } },
      dark: { dark: true, colors: { primary: '#89D5C3', secondary: '#B1CCC5' } },
    },
  },
})
