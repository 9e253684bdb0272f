import { requestBackup } from '../services/backups'
import { waitBudget } from '../services/jobs/enqueue'

/**
 * POST /api/backup — backs up all of the caller's data to S3, as a queued job awaited for
 * NUXT_QUEUE_WAIT_BUDGET_MS (10 s): finished in time, 201 { backup_id, urlDownload, size_bytes,
 * sha256, row_counts, created_at, expiresAt, ... } (or the job's error, as if it ran inline);
 * otherwise 202 { backup_id, status, stage, progress } with Location: /api/backups/:id to follow.
 * With `Prefer: respond-async` (the app's own screen, which follows the job) it answers 202 at once.
 */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  const result = await requestBackup(userId, clientIp(event), requestTimeZone(event), waitBudget(respondsAsync(event)))
  if ('accepted' in result) {
    setResponseStatus(event, 202)
    if (respondsAsync(event)) setHeader(event, 'Preference-Applied', 'respond-async')
    setHeader(event, 'Location', `/api/backups/${result.accepted.backup_id}`)
    return result.accepted
  }
  setResponseStatus(event, 201)
  return result.done
})
