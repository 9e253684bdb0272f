import { transactionListQuery } from '#shared/schemas/ledger'
import { listTransactions } from '../../services/ledger/transactions'

/** GET /api/transactions — the caller's transactions, newest first, filtered by accountId, categoryId, from, to (dates, inclusive), paginated: { items, total, page, pageSize }. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  return listTransactions(userId, queryWith(event, transactionListQuery))
})
