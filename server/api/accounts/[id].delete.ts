import { idParams } from '#shared/schemas/ledger'
import { deleteAccount } from '../../services/ledger/accounts'

/** DELETE /api/accounts/:id — deletes an account without transactions (else 422 with fields.id); 204. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  const { id } = paramsWith(event, idParams)
  await deleteAccount(userId, id)
  setResponseStatus(event, 204)
  return null
})
