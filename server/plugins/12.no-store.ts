/**
 * Server-rendered pages carry the visitor's session (user data and, in the payload, tokens):
 * no cache, shared or private, may keep them. The auth API routes get the same header in
 * server/middleware/auth.ts.
 */
export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('render:response', (response) => {
    response.headers = { ...response.headers, 'cache-control': 'no-store' }
  })
})
