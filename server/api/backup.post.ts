import { createManualBackup } from '../services/backups'

/** POST /api/backup — backs up all of the caller's data to S3: 201 { backup_id, urlDownload, size_bytes, sha256, row_counts, created_at, expiresAt, ... }. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  const dto = await createManualBackup(userId, clientIp(event), requestTimeZone(event))
  setResponseStatus(event, 201)
  return dto
})
