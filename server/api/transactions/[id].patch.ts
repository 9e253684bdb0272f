import { idParams, transactionUpdateSchema } from '#shared/schemas/ledger'
import { updateTransaction } from '../../services/ledger/transactions'

/** PATCH /api/transactions/:id — changes the given fields of one of the caller's transactions; answers the row. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  const { id } = paramsWith(event, idParams)
  const input = await readBodyWith(event, transactionUpdateSchema)
  return updateTransaction(userId, id, input)
})
