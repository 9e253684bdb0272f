import { listBackups } from '../../services/backups'

/** GET /api/backups — the caller's backups, newest first. */
export default defineApiHandler(async (event) => {
  return listBackups(requireUser(event).userId)
})
