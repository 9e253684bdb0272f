import { categoryListQuery } from '#shared/schemas/ledger'
import { listCategories } from '../../services/ledger/categories'

/** GET /api/categories — the caller's categories (optionally of one kind), paginated: { items, total, page, pageSize }. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  return listCategories(userId, queryWith(event, categoryListQuery))
})
