import { accountCreateSchema } from '#shared/schemas/ledger'
import { createAccount } from '../../services/ledger/accounts'

/** POST /api/accounts — creates one of the caller's accounts: 201 with the row. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  const input = await readBodyWith(event, accountCreateSchema)
  const row = await createAccount(userId, input)
  setResponseStatus(event, 201)
  return row
})
