import { idParams } from '#shared/schemas/ledger'
import { getCategory } from '../../services/ledger/categories'

/** GET /api/categories/:id — one of the caller's categories; anyone else's is 404. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  const { id } = paramsWith(event, idParams)
  return getCategory(userId, id)
})
