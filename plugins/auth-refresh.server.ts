/**
 * Replaces @sidebase/nuxt-auth's server refresh plugin (removed in nuxt.config.ts), which called
 * the refresh endpoint on *every* server-rendered page whose request carried a refresh cookie:
 * each page view rotated the refresh token, wrote two Set-Cookie headers, and a reload racing
 * another tab could trip reuse detection. Here the refresh token is spent only when the access
 * token is missing or expires within REFRESH_MARGIN_SECONDS; otherwise the page renders with the
 * access token it was sent (whose family the API still checks on every call).
 */
const REFRESH_MARGIN_SECONDS = 60

/** Seconds until the JWT's `exp`, or -1 if it cannot be read. Not a verification: the API verifies. */
function secondsLeft(jwt: string | null | undefined): number {
  const payload = jwt?.split('.')[1]
  if (!payload) return -1
  try {
    const exp = Number(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).exp)
    return Number.isFinite(exp) ? exp - Date.now() / 1000 : -1
  }
  catch { return -1 }
}

export default defineNuxtPlugin({
  name: 'cofre-auth-refresh',
  enforce: 'pre',
  async setup() {
    const { rawToken, rawRefreshToken, lastRefreshedAt } = useAuthState()
    if (!rawRefreshToken.value || secondsLeft(rawToken.value) > REFRESH_MARGIN_SECONDS) return
    try {
      const res = await $fetch<{ token: { accessToken: string, refreshToken: string } }>('/api/auth/refresh', {
        method: 'POST',
        body: { refreshToken: rawRefreshToken.value },
      })
      rawToken.value = res.token.accessToken
      rawRefreshToken.value = res.token.refreshToken
      lastRefreshedAt.value = new Date()
    }
    catch {
      // Spent, revoked or expired: the visitor is signed out (nuxt-auth then sends them to /login).
      rawToken.value = null
      rawRefreshToken.value = null
    }
  },
})
