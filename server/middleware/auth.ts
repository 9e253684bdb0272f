/**
 * Every /api route requires a valid access token (Authorization: Bearer ...), except these.
 * Failure is 401 with a stable code: UNAUTHENTICATED or TOKEN_EXPIRED.
 */
const PUBLIC_API = new Set(['/api/health', '/api/auth/login', '/api/auth/register', '/api/auth/refresh'])

export default defineEventHandler(async (event) => {
  const path = event.path.split('?')[0]!
  if (!path.startsWith('/api/') || PUBLIC_API.has(path)) return
  const header = getRequestHeader(event, 'authorization') ?? ''
  const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header)
  try {
    if (!match) throw new AppError('UNAUTHENTICATED')
    event.context.auth = await verifyAccessToken(match[1]!)
  }
  catch (err) {
    throw mapError(event, err)
  }
})
