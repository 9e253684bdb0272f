import { refreshSchema } from '#shared/schemas/auth'
import { refresh } from '../../services/auth'

/** POST /api/auth/refresh — rotates the refresh token; reusing a spent one revokes its whole family. */
export default defineApiHandler(async (event) => {
  const { refreshToken } = await readBodyWith(event, refreshSchema)
  return refresh(refreshToken, clientIp(event))
})
