import { backupIdSchema } from '#shared/schemas/backups'
import { downloadLink } from '../../../services/backups'

/** GET /api/backups/:id/download — a fresh presigned link (TTL from config) to a completed backup whose object exists, named in the user's time zone. */
export default defineApiHandler(async (event) => {
  const { id } = paramsWith(event, backupIdSchema)
  setHeader(event, 'Cache-Control', 'no-store')
  return downloadLink(requireUser(event).userId, id, clientIp(event), requestTimeZone(event))
})
