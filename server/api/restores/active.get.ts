import { isRestoring } from '../../services/ledger/write-gate'
import { activeRestore } from '../../services/restore'

/**
 * GET /api/restores/active — { restoring, restore }: whether a restore is replacing the caller's
 * data right now (their ledger is read-only meanwhile; every page shows a banner), and their
 * queued or running restore job if any (a reloaded screen follows it again).
 */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  const [restoring, restore] = await Promise.all([isRestoring(userId), activeRestore(userId)])
  return { restoring, restore }
})
