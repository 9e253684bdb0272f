import { useTheme } from 'vuetify'

type Scheme = 'light' | 'dark'
const asScheme = (v: unknown): Scheme | null => (v === 'dark' || v === 'light' ? v : null)

/**
 * The theme, decided on the server so the first render is already right (no flash):
 *  1. the user's explicit choice (`cofre_theme` cookie, set by the toggle);
 *  2. else the system's preference: the Sec-CH-Prefers-Color-Scheme client hint (Chromium sends
 *     it, see server/plugins/13.color-scheme-hints.ts), or the `cofre_scheme` cookie that the
 *     pre-paint script below writes in browsers without client hints;
 *  3. else light.
 * Where neither the hint nor the cookie is there yet (a first visit in Firefox or Safari), the
 * head script compares the system's preference with the scheme the server rendered and, if they
 * differ, stores it and reloads before the body is painted: one extra request, never a light
 * flash in a dark room. Only once per tab (sessionStorage), so cookies turned off cannot loop.
 */
export function useThemePreference() {
  const cookieOptions = { sameSite: 'lax' as const, maxAge: 60 * 60 * 24 * 365 }
  const choice = useCookie<Scheme | null>('cofre_theme', { default: () => null, ...cookieOptions })
  const system = useCookie<Scheme | null>('cofre_scheme', { default: () => null, ...cookieOptions })
  const hint = asScheme(useRequestHeader('sec-ch-prefers-color-scheme'))
  // Read once on the server and carried to the client in the payload, so hydration matches.
  const systemScheme = useState<Scheme>('cofre-system-scheme', () => hint ?? asScheme(system.value) ?? 'light')
  const theme = useTheme()
  const effective = computed<Scheme>(() => asScheme(choice.value) ?? systemScheme.value)
  const isDark = computed(() => effective.value === 'dark')

  function apply() {
    theme.change(effective.value)
  }
  function toggle() {
    choice.value = isDark.value ? 'light' : 'dark'
    apply()
  }
  /** The pre-paint check for browsers without client hints (inline, with the CSP nonce). */
  function prePaintScript() {
    if (asScheme(choice.value)) return
    const rendered = systemScheme.value
    useHead({
      script: [{
        key: 'cofre-scheme',
        tagPosition: 'head',
        tagPriority: 'critical',
        innerHTML: `(function(){try{var d=matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light';if(d==='${rendered}')return;document.cookie='cofre_scheme='+d+';path=/;max-age=31536000;samesite=lax';if(sessionStorage.getItem('cofre-scheme-retry'))return;sessionStorage.setItem('cofre-scheme-retry','1');location.reload()}catch(e){}})()`,
      }],
    })
  }
  return { isDark, apply, toggle, prePaintScript }
}
