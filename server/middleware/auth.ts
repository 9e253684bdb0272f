import { familyAlive } from '../services/auth'

/**
 * Every /api route requires a valid access token (Authorization: Bearer ...), except these.
 * Failure is 401 with a stable code: UNAUTHENTICATED or TOKEN_EXPIRED.
 */
const PUBLIC_API = new Set(['/api/health', '/api/auth/login', '/api/auth/register', '/api/auth/refresh'])

export default defineEventHandler(async (event) => {
  const path = event.path.split('?')[0]!
  // Auth answers carry tokens and session data: never cached.
  if (path.startsWith('/api/auth/')) setResponseHeader(event, 'cache-control', 'no-store')
  if (!path.startsWith('/api/') || PUBLIC_API.has(path)) return
  const header = getRequestHeader(event, 'authorization') ?? ''
  const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header)
  try {
    if (!match) throw new AppError('UNAUTHENTICATED')
    const claims = await verifyAccessToken(match[1]!)
    // A valid signature is not enough: the sign-in (family) may have been revoked or the user
    // deleted since the token was issued (checked in MySQL, cached a few seconds).
    if (!(await familyAlive(claims.userId, claims.familyId))) throw new AppError('UNAUTHENTICATED')
    event.context.auth = claims
  }
  catch (err) {
    throw mapError(event, err)
  }
})
