import { accountListQuery } from '#shared/schemas/ledger'
import { listAccounts } from '../../services/ledger/accounts'

/** GET /api/accounts — the caller's accounts, paginated: { items, total, page, pageSize }. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  return listAccounts(userId, queryWith(event, accountListQuery))
})
