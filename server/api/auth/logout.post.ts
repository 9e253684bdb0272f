import { logout } from '../../services/auth'

/** POST /api/auth/logout — revokes the refresh tokens of this sign-in. */
export default defineApiHandler(async (event) => {
  const { userId, familyId } = requireUser(event)
  await logout(userId, familyId, clientIp(event))
  return { ok: true }
})
