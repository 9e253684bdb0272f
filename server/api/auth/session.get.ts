import { sessionUser } from '../../services/auth'

/** GET /api/auth/session — the signed-in user { id, email, name }. */
export default defineApiHandler(async (event) => {
  return sessionUser(requireUser(event).userId)
})
