import { restoreSchema } from '#shared/schemas/backups'
import type { AcceptedRestoreDto, RestoreResultDto } from '#shared/schemas/backups'
import { waitBudget } from '../services/jobs/enqueue'
import { requestRestore } from '../services/restore'

/**
 * POST /api/restore { backup_id } — replaces all of the caller's data with that backup's, as a
 * queued job awaited for NUXT_QUEUE_WAIT_BUDGET_MS (10 s). Finished in time:
 * 200 { message: "Backup restaurado", backup_id, safety_backup_id, restored: { table: rows } },
 * or the job's error as if it ran inline (422 BACKUP_INVALID with data.reason, nothing changed).
 * Otherwise 202 { restore_id, backup_id, status, stage, progress } with Location: /api/restores/:id;
 * at once with `Prefer: respond-async`.
 */
export default defineApiHandler(async (event): Promise<RestoreResultDto | AcceptedRestoreDto> => {
  const { backup_id } = await readBodyWith(event, restoreSchema)
  const result = await requestRestore(requireUser(event).userId, backup_id, clientIp(event), waitBudget(respondsAsync(event)))
  if ('accepted' in result) {
    setResponseStatus(event, 202)
    if (respondsAsync(event)) setHeader(event, 'Preference-Applied', 'respond-async')
    setHeader(event, 'Location', `/api/restores/${result.accepted.restore_id}`)
    return result.accepted
  }
  return { message: translate(event, 'backups.restored'), ...result.done }
})
