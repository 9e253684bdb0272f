import { backupIdSchema } from '#shared/schemas/backups'
import { getBackup } from '../../services/backups'

/** GET /api/backups/:id — one of the caller's backups (404 for anyone else's). */
export default defineApiHandler(async (event) => {
  const { id } = paramsWith(event, backupIdSchema)
  return getBackup(requireUser(event).userId, id, requestTimeZone(event))
})
