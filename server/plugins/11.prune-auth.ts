import { pruneExpiredAuthState } from '../services/auth'

/**
 * Hourly (and shortly after start-up), delete refresh tokens long expired and expired sign-in
 * counters, so neither table grows with every sign-in forever. Safe on several instances at once:
 * each DELETE only removes rows that are already dead.
 */
export default defineNitroPlugin(() => {
  if (import.meta.prerender) return
  const run = () => pruneExpiredAuthState()
    .then(n => n && logger.info({ removed: n }, 'pruned expired refresh tokens'))
    .catch(err => logger.error({ err: serializeError(err) }, 'refresh token prune failed'))
  setTimeout(run, 5000).unref()
  setInterval(run, 3600_000).unref()
})
