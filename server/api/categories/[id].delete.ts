import { idParams } from '#shared/schemas/ledger'
import { deleteCategory } from '../../services/ledger/categories'

/** DELETE /api/categories/:id — deletes a category; its subcategories move to the top level, its transactions become uncategorized; 204. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  const { id } = paramsWith(event, idParams)
  await deleteCategory(userId, id)
  setResponseStatus(event, 204)
  return null
})
