import type { NitroFetchOptions } from 'nitropack'

type Opts = Omit<NitroFetchOptions<string>, 'headers'> & { headers?: Record<string, string> }

/**
 * Authenticated calls to Cofre's API, on the server (SSR) and in the browser. An expired access
 * token is refreshed once and the call retried; if the session cannot be refreshed the user is
 * sent to /login and brought back to this page after signing in.
 */
export function useApi() {
  const auth = useAuth()
  const route = useRoute()
  const banner = useRestoreBanner()

  async function call<T>(url: string, opts: Opts = {}): Promise<T> {
    const withToken = (): Opts => ({ ...opts, headers: { ...opts.headers, ...(auth.token.value ? { Authorization: auth.token.value } : {}) } })
    try {
      return await $fetch<T>(url, withToken() as never) as T
    }
    catch (err) {
      if ((err as { data?: { data?: { code?: string } } }).data?.data?.code === 'RESTORE_IN_PROGRESS') banner.mark(true)
      if ((err as { statusCode?: number }).statusCode !== 401) throw err
      try {
        await auth.refresh()
      }
      catch {
        await auth.signOut({ redirect: false }).catch(() => {})
        await navigateTo({ path: '/login', query: { redirect: route.fullPath } })
        throw err
      }
      return await $fetch<T>(url, withToken() as never) as T
    }
  }
  return call
}
