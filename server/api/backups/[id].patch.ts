import { backupIdSchema, backupNoteSchema } from '#shared/schemas/backups'
import { setBackupNote } from '../../services/backups'

/** PATCH /api/backups/:id { note } — the user's short note on a backup (null or "" clears it). */
export default defineApiHandler(async (event) => {
  const { id } = paramsWith(event, backupIdSchema)
  const { note } = await readBodyWith(event, backupNoteSchema)
  return setBackupNote(requireUser(event).userId, id, note, requestTimeZone(event))
})
