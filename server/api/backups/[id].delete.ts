import { backupIdSchema } from '#shared/schemas/backups'
import { deleteBackup } from '../../services/backups'

/** DELETE /api/backups/:id — removes the object and the row (the audit entry stays). */
export default defineApiHandler(async (event) => {
  const { id } = paramsWith(event, backupIdSchema)
  await deleteBackup(requireUser(event).userId, id, clientIp(event))
  setResponseStatus(event, 204)
  return null
})
