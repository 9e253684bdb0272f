import { idParams, categoryUpdateSchema } from '#shared/schemas/ledger'
import { updateCategory } from '../../services/ledger/categories'

/** PATCH /api/categories/:id — changes the given fields of one of the caller's categories; answers the row. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  const { id } = paramsWith(event, idParams)
  const input = await readBodyWith(event, categoryUpdateSchema)
  return updateCategory(userId, id, input)
})
