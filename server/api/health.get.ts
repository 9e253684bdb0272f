import { checkHealth } from '../services/health'

/**
 * GET /api/health — liveness of Cofre's dependencies. 200 when the database and the backup
 * storage both answer, 503 naming the failing one(s). Public: no token, no secrets and no error
 * text (it names hosts, ports and buckets) — the detail goes to the server's log.
 */
export default defineEventHandler(async (event) => {
  const report = await checkHealth()
  setResponseStatus(event, report.status === 'ok' ? 200 : 503)
  setHeader(event, 'Cache-Control', 'no-store')
  return report
})
