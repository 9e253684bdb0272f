import { transactionCreateSchema } from '#shared/schemas/ledger'
import { createTransaction } from '../../services/ledger/transactions'

/** POST /api/transactions — creates one of the caller's transactions: 201 with the row. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  const input = await readBodyWith(event, transactionCreateSchema)
  const row = await createTransaction(userId, input)
  setResponseStatus(event, 201)
  return row
})
