import type { H3Event } from 'h3'
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose'
import { VerifiedTokens } from './verified-tokens'

export const JWT_ISSUER = 'cofre'
export const JWT_AUDIENCE = 'cofre-api'
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60
const ALG = 'HS256'

let key: Uint8Array | undefined
const secretKey = () => (key ??= new TextEncoder().encode(cofreConfig().jwtSecret))

export interface AccessClaims { userId: number, familyId: string }

export async function signAccessToken(c: AccessClaims): Promise<string> {
  return new SignJWT({ fid: c.familyId })
    .setProtectedHeader({ alg: ALG, typ: 'JWT' })
    .setSubject(String(c.userId))
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
    .sign(secretKey())
}

const verified = new VerifiedTokens<Readonly<AccessClaims>>()

/**
 * Verifies an access token: algorithm pinned, signature, exp (required), iss, aud, sub. A token
 * verified before is answered from `verified` (same text, until its exp; see verified-tokens.ts).
 */
export async function verifyAccessToken(token: string): Promise<AccessClaims> {
  const known = verified.get(token)
  if (known === 'expired') throw new AppError('TOKEN_EXPIRED')
  if (known) return known
  try {
    const { payload } = await jwtVerify(token, secretKey(), {
      algorithms: [ALG],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      requiredClaims: ['exp', 'sub', 'iat'],
    })
    const userId = Number(payload.sub)
    if (!Number.isSafeInteger(userId) || userId <= 0 || typeof payload.fid !== 'string') throw new AppError('UNAUTHENTICATED')
    const claims = Object.freeze({ userId, familyId: payload.fid })
    verified.set(token, claims, payload.exp! * 1000)
    return claims
  }
  catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw new AppError('TOKEN_EXPIRED')
    throw new AppError('UNAUTHENTICATED')
  }
}

/** The authenticated caller, set by server/middleware/auth.ts; throws 401 if there is none. */
export function requireUser(event: H3Event): AccessClaims {
  const auth = event.context.auth as AccessClaims | undefined
  if (!auth) throw new AppError('UNAUTHENTICATED')
  return auth
}
