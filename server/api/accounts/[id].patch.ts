import { idParams, accountUpdateSchema } from '#shared/schemas/ledger'
import { updateAccount } from '../../services/ledger/accounts'

/** PATCH /api/accounts/:id — changes the given fields of one of the caller's accounts; answers the row. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  const { id } = paramsWith(event, idParams)
  const input = await readBodyWith(event, accountUpdateSchema)
  return updateAccount(userId, id, input)
})
