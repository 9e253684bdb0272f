import { registerSchema } from '#shared/schemas/auth'
import { register } from '../../services/auth'

/** POST /api/auth/register — creates an account and signs it in: 201 { token: { accessToken, refreshToken } }. */
export default defineApiHandler(async (event) => {
  const input = await readBodyWith(event, registerSchema)
  setResponseStatus(event, 201)
  return register(input, clientIp(event))
})
