import { restoreSchema } from '#shared/schemas/backups'
import type { RestoreResultDto } from '#shared/schemas/backups'
import { restoreBackup } from '../services/restore'

/**
 * POST /api/restore { backup_id } — replaces all of the caller's data with that backup's:
 * 200 { message: "Backup restaurado", backup_id, safety_backup_id, restored: { table: rows } };
 * 422 BACKUP_INVALID (with data.reason) when the file fails validation, nothing changed.
 */
export default defineApiHandler(async (event): Promise<RestoreResultDto> => {
  const { backup_id } = await readBodyWith(event, restoreSchema)
  const outcome = await restoreBackup(requireUser(event).userId, backup_id, clientIp(event))
  return { message: translate(event, 'backups.restored'), ...outcome }
})
