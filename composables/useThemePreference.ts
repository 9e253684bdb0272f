import { useTheme } from 'vuetify'

/** Light/dark theme kept in a cookie so the server renders the chosen theme (no flash). */
export function useThemePreference() {
  const cookie = useCookie<'light' | 'dark'>('cofre_theme', { default: () => 'light', sameSite: 'lax', maxAge: 60 * 60 * 24 * 365 })
  const theme = useTheme()
  const isDark = computed(() => cookie.value === 'dark')
  function apply() {
    theme.change(cookie.value === 'dark' ? 'dark' : 'light')
  }
  function toggle() {
    cookie.value = isDark.value ? 'light' : 'dark'
    apply()
  }
  return { isDark, apply, toggle }
}
