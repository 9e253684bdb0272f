import { idParams } from '#shared/schemas/ledger'
import { getAccount } from '../../services/ledger/accounts'

/** GET /api/accounts/:id — one of the caller's accounts; anyone else's is 404. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  const { id } = paramsWith(event, idParams)
  return getAccount(userId, id)
})
