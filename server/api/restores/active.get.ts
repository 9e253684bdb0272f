import { isRestoring } from '../../services/ledger/write-gate'

/**
 * GET /api/restores/active — { restoring: boolean }: whether a restore is replacing the caller's
 * data right now (their ledger is read-only meanwhile). Every page shows a banner while it is.
 */
export default defineApiHandler(async (event) => {
  return { restoring: await isRestoring(requireUser(event).userId) }
})
