import { categoryCreateSchema } from '#shared/schemas/ledger'
import { createCategory } from '../../services/ledger/categories'

/** POST /api/categories — creates one of the caller's categories: 201 with the row. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  const input = await readBodyWith(event, categoryCreateSchema)
  const row = await createCategory(userId, input)
  setResponseStatus(event, 201)
  return row
})
