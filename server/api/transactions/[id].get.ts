import { idParams } from '#shared/schemas/ledger'
import { getTransaction } from '../../services/ledger/transactions'

/** GET /api/transactions/:id — one of the caller's transactions; anyone else's is 404. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  const { id } = paramsWith(event, idParams)
  return getTransaction(userId, id)
})
