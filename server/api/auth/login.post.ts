import { loginSchema } from '#shared/schemas/auth'
import { login } from '../../services/auth'

/** POST /api/auth/login — e-mail + password → { token: { accessToken, refreshToken } }; rate limited (429 + Retry-After). */
export default defineApiHandler(async (event) => {
  const input = await readBodyWith(event, loginSchema)
  return login(input, clientIp(event))
})
