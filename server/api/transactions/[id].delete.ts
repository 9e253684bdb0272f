import { idParams } from '#shared/schemas/ledger'
import { deleteTransaction } from '../../services/ledger/transactions'

/** DELETE /api/transactions/:id — deletes a transaction; 204. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  const { id } = paramsWith(event, idParams)
  await deleteTransaction(userId, id)
  setResponseStatus(event, 204)
  return null
})
