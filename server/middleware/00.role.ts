/**
 * A `worker` process (NUXT_ROLE=worker) runs jobs and serves only its health check: no pages, no
 * API, so it can sit on a private network without exposing the app.
 */
export default defineEventHandler((event) => {
  if (cofreConfig().role !== 'worker') return
  if (event.path.split('?')[0] === '/api/health') return
  throw createError({ statusCode: 404, statusMessage: 'Not Found' })
})
