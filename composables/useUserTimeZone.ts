import { validTimeZone } from '#shared/time-zone'

/**
 * The user's time zone. The server cannot know it, so the browser stores it in the `cofre_tz`
 * cookie after the first visit and SSR renders with it from then on; before that the server
 * renders UTC (and says so), and the browser switches to its own zone after hydration — the
 * value travels in the payload, so hydration always matches what the server rendered.
 */
export function useUserTimeZone() {
  const cookie = useCookie<string | null>('cofre_tz', { default: () => null, sameSite: 'lax', maxAge: 60 * 60 * 24 * 365 })
  const tz = useState('cofre-tz', () => validTimeZone(cookie.value) ?? 'UTC')
  onMounted(() => {
    const browser = validTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone)
    if (!browser) return
    if (tz.value !== browser) tz.value = browser
    if (cookie.value !== browser) cookie.value = browser
  })
  return tz
}
