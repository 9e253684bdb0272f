import type { H3Event } from 'h3'

/**
 * One runtime config for every request. `useRuntimeConfig(event)` gives each request its own deep
 * copy of the config with the environment re-applied (so a request could change it without
 * touching others), and @nuxtjs/i18n asks for it on every request, API calls included: under
 * load that copy was a quarter of the server's CPU (bench/profile-summary: klona + applyEnv + the
 * env-name case conversions), and removing it tripled GET /api/backups throughput.
 * Cofre reads its config from the environment once at start and never changes it per request,
 * so every request is handed one copy made at startup.
 *
 * That copy is deep-frozen, so code that tried to change it throws instead of leaking into other
 * requests, with one known exception: @sidebase/nuxt-auth writes `public.auth.baseURL` on every
 * SSR render, always the same value derived from the config itself, so that object stays writable.
 *
 * `beforeEach` runs ahead of every `request` hook whatever order the plugins were registered in.
 */
export default defineNitroPlugin((nitroApp) => {
  const shared = structuredClone(useRuntimeConfig()) as ReturnType<typeof useRuntimeConfig>
  deepFreeze(shared, new Set<object>([shared.public.auth]))
  nitroApp.hooks.beforeEach(({ name, args }) => {
    if (name !== 'request') return
    // hookable passes the hook's name first in `args`, then the hook's own arguments
    const event = args.find(a => (a as H3Event | undefined)?.context?.nitro) as H3Event | undefined
    if (event && !event.context.nitro.runtimeConfig) event.context.nitro.runtimeConfig = shared
  })
})

function deepFreeze(value: object, writable: Set<object>) {
  if (writable.has(value)) return
  for (const child of Object.values(value)) if (child && typeof child === 'object') deepFreeze(child, writable)
  Object.freeze(value)
}
