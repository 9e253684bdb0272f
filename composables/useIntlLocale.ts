/** The BCP 47 tag Intl should use for the UI's locale. */
export function useIntlLocale() {
  const { locale } = useI18n()
  return computed(() => (locale.value === 'en' ? 'en-US' : locale.value))
}
