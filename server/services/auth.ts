import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { and, eq, isNull } from 'drizzle-orm'
import type { LoginInput, RegisterInput, SessionUser, TokenPair } from '#shared/schemas/auth'
import { preferences, refreshTokens, users } from '../db/schema'
import { dummyHash, hashPassword, verifyPassword } from './passwords'
import { checkLoginAllowed, recordLoginFailure, recordLoginSuccess } from './rate-limits'
import { audit } from './audit'

const REFRESH_TTL_MS = 30 * 24 * 3600 * 1000
/**
 * A refresh token presented again within this window after its rotation is treated as a race
 * (two tabs, or an SSR render and the browser refreshing at once), not as theft: it gets a new
 * pair in the same family. Later reuse revokes the whole family.
 */
const REUSE_GRACE_MS = 10_000

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
const nowSql = (d = new Date()) => d.toISOString().replace('T', ' ').replace('Z', '')

async function issuePair(userId: number, familyId: string): Promise<TokenPair> {
  const refreshToken = randomBytes(32).toString('base64url')
  await useDb().insert(refreshTokens).values({
    userId, familyId, tokenHash: sha256(refreshToken), expiresAt: nowSql(new Date(Date.now() + REFRESH_TTL_MS)),
  })
  return { token: { accessToken: await signAccessToken({ userId, familyId }), refreshToken } }
}

export async function register(input: RegisterInput, ip: string): Promise<TokenPair> {
  const passwordHash = await hashPassword(input.password)
  let userId: number
  try {
    userId = await useDb().transaction(async (tx) => {
      const [res] = await tx.insert(users).values({ email: input.email, name: input.name, passwordHash })
      await tx.insert(preferences).values({ userId: res.insertId })
      return res.insertId
    })
  }
  catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code === 'ER_DUP_ENTRY' || (err as { code?: string }).code === 'ER_DUP_ENTRY') throw new AppError('EMAIL_TAKEN', { fields: { email: 'validation.emailTaken' } })
    throw err
  }
  await audit({ userId, action: 'auth.register', ip })
  return issuePair(userId, randomUUID())
}

export async function login(input: LoginInput, ip: string): Promise<TokenPair> {
  await checkLoginAllowed(input.email, ip)
  const [user] = await useDb().select().from(users).where(eq(users.email, input.email)).limit(1)
  const ok = await verifyPassword(input.password, user?.passwordHash ?? await dummyHash())
  if (!user || !ok) {
    await recordLoginFailure(input.email)
    if (user) await audit({ userId: user.id, action: 'auth.login', outcome: 'failure', ip })
    throw new AppError('INVALID_CREDENTIALS')
  }
  await recordLoginSuccess(input.email)
  await audit({ userId: user.id, action: 'auth.login', ip })
  return issuePair(user.id, randomUUID())
}

/** Rotates a refresh token: the old one is spent, a new pair is issued in the same family. */
export async function refresh(refreshToken: string, ip: string): Promise<TokenPair> {
  const hash = sha256(refreshToken)
  const outcome = await useDb().transaction(async (tx) => {
    const [row] = await tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, hash)).for('update')
    if (!row || row.revokedAt || new Date(`${row.expiresAt}Z`) < new Date()) return { error: 'REFRESH_INVALID' as const }
    if (row.usedAt) {
      if (Date.now() - new Date(`${row.usedAt}Z`).getTime() <= REUSE_GRACE_MS) return { userId: row.userId, familyId: row.familyId }
      await tx.update(refreshTokens).set({ revokedAt: nowSql() }).where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)))
      return { error: 'REFRESH_REUSED' as const, userId: row.userId }
    }
    await tx.update(refreshTokens).set({ usedAt: nowSql() }).where(eq(refreshTokens.id, row.id))
    return { userId: row.userId, familyId: row.familyId }
  })
  if ('error' in outcome && outcome.error) {
    if (outcome.error === 'REFRESH_REUSED') await audit({ userId: outcome.userId!, action: 'auth.refresh_reuse', outcome: 'failure', ip })
    throw new AppError(outcome.error)
  }
  return issuePair(outcome.userId!, outcome.familyId!)
}

/** Sign-out revokes every refresh token of the caller's sign-in (its family). */
export async function logout(userId: number, familyId: string, ip: string) {
  await useDb().update(refreshTokens).set({ revokedAt: nowSql() }).where(and(eq(refreshTokens.familyId, familyId), eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
  await audit({ userId, action: 'auth.logout', ip })
}

export async function sessionUser(userId: number): Promise<SessionUser> {
  const [user] = await useDb().select({ id: users.id, email: users.email, name: users.name }).from(users).where(eq(users.id, userId)).limit(1)
  if (!user) throw new AppError('UNAUTHENTICATED')
  return user
}
