import { restoreIdSchema } from '#shared/schemas/jobs'
import { cancelRestore } from '../../../services/restore'

/** POST /api/restores/:id/cancel — stops a restore before its commit (data as before); 409 JOB_NOT_CANCELLABLE after. */
export default defineApiHandler(async (event) => {
  const { id } = paramsWith(event, restoreIdSchema)
  return cancelRestore(requireUser(event).userId, id, clientIp(event))
})
