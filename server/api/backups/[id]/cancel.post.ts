import { backupIdSchema } from '#shared/schemas/backups'
import { cancelBackup } from '../../../services/backups'

/** POST /api/backups/:id/cancel — stops a queued or running backup; 409 JOB_NOT_CANCELLABLE once it finished. */
export default defineApiHandler(async (event) => {
  const { id } = paramsWith(event, backupIdSchema)
  return cancelBackup(requireUser(event).userId, id, clientIp(event), requestTimeZone(event))
})
