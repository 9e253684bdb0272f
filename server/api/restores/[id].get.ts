import { restoreIdSchema } from '#shared/schemas/jobs'
import { getRestore } from '../../services/restore'

/** GET /api/restores/:id — a restore job of the caller's: status, stage, progress, outcome (404 for anyone else's). */
export default defineApiHandler(async (event) => {
  const { id } = paramsWith(event, restoreIdSchema)
  return getRestore(requireUser(event).userId, id)
})
