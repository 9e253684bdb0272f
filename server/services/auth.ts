import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { and, eq, gt, isNotNull, isNull, lt, sql } from 'drizzle-orm'
import type { LoginInput, RegisterInput, SessionUser, TokenPair } from '#shared/schemas/auth'
import { auditLog, preferences, rateLimits, refreshTokens, users } from '../db/schema'
import { dummyHash, hashPassword, verifyPassword } from './passwords'
import { consumeLoginAttempt, consumeRegistration, recordLoginSuccess } from './rate-limits'
import { audit } from './audit'

const REFRESH_TTL_MS = 30 * 24 * 3600 * 1000
/**
 * A refresh token presented again within this window after its rotation is treated as a race
 * (two tabs, or an SSR render and the browser refreshing at once), not as theft: it gets a new
 * pair in the same family. Later reuse revokes the whole family.
 */
const REUSE_GRACE_MS = 10_000

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
const nowSql = toSqlTime

type Tx = Parameters<Parameters<ReturnType<typeof useDb>['transaction']>[0]>[0]

async function issuePair(userId: number, familyId: string, db: Tx | ReturnType<typeof useDb> = useDb()): Promise<TokenPair> {
  const refreshToken = randomBytes(32).toString('base64url')
  await db.insert(refreshTokens).values({
    userId, familyId, tokenHash: sha256(refreshToken), expiresAt: nowSql(new Date(Date.now() + REFRESH_TTL_MS)),
  })
  return { token: { accessToken: await signAccessToken({ userId, familyId }), refreshToken } }
}

export async function register(input: RegisterInput, ip: string): Promise<TokenPair> {
  // Counted before hashing, so a flood from one address costs one scrypt per allowed attempt.
  await consumeRegistration(ip)
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

/** IPs this account signed in from in this many days are exempt from the account-wide cap. */
const TRUSTED_IP_DAYS = 30

async function signedInFrom(userId: number, ip: string): Promise<boolean> {
  const since = nowSql(new Date(Date.now() - TRUSTED_IP_DAYS * 24 * 3600 * 1000))
  const [row] = await useDb().select({ id: auditLog.id }).from(auditLog)
    .where(and(eq(auditLog.userId, userId), gt(auditLog.createdAt, since), eq(auditLog.action, 'auth.login'), eq(auditLog.outcome, 'success'), eq(auditLog.ip, ip)))
    .limit(1)
  return !!row
}

export async function login(input: LoginInput, ip: string): Promise<TokenPair> {
  const [user] = await useDb().select().from(users).where(eq(users.email, input.email)).limit(1)
  let trusted = false
  // The attempt is counted (atomically, in MySQL) before the password is checked: parallel
  // guesses cannot all pass a check that has not seen the others yet.
  await consumeLoginAttempt(input.email, ip, async () => (trusted = !!user && await signedInFrom(user.id, ip)))
  const ok = await verifyPassword(input.password, user?.passwordHash ?? await dummyHash())
  if (!user || !ok) {
    if (user) await audit({ userId: user.id, action: 'auth.login', outcome: 'failure', ip })
    throw new AppError('INVALID_CREDENTIALS')
  }
  await recordLoginSuccess(input.email, ip, trusted)
  await audit({ userId: user.id, action: 'auth.login', ip })
  return issuePair(user.id, randomUUID())
}

/** Rotates a refresh token: the old one is spent, a new pair is issued in the same family. */
export async function refresh(refreshToken: string, ip: string): Promise<TokenPair> {
  const hash = sha256(refreshToken)
  const outcome = await useDb().transaction(async (tx) => {
    const [row] = await tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, hash)).for('update')
    if (!row || row.revokedAt || new Date(`${row.expiresAt}Z`) < new Date()) return { error: 'REFRESH_INVALID' as const }
    // A family is revoked as a whole; a token issued in it by a refresh racing the revocation
    // must not bring it back. A deleted user's tokens are dead too.
    const [state] = await tx.select({
      revoked: sql<number>`EXISTS (SELECT 1 FROM ${refreshTokens} WHERE ${refreshTokens.familyId} = ${row.familyId} AND ${refreshTokens.revokedAt} IS NOT NULL)`,
      user: sql<number>`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${row.userId})`,
    }).from(sql`(SELECT 1) AS one`)
    if (Number(state?.revoked) || !Number(state?.user)) return { error: 'REFRESH_INVALID' as const }
    if (row.usedAt) {
      if (Date.now() - new Date(`${row.usedAt}Z`).getTime() <= REUSE_GRACE_MS) return { pair: await issuePair(row.userId, row.familyId, tx) }
      await tx.update(refreshTokens).set({ revokedAt: nowSql() }).where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)))
      return { error: 'REFRESH_REUSED' as const, userId: row.userId, familyId: row.familyId }
    }
    await tx.update(refreshTokens).set({ usedAt: nowSql() }).where(eq(refreshTokens.id, row.id))
    // Issued inside the transaction that holds the old token's row lock, so a sign-out or a reuse
    // revocation of this family waits for it and then revokes the new token as well.
    return { pair: await issuePair(row.userId, row.familyId, tx) }
  // READ COMMITTED: the old token's row lock is all this needs. Under REPEATABLE READ the second of
  // two simultaneous refreshes (two tabs) waited with a next-key request that the first one's
  // insert of the new token could land behind: a deadlock, 500, in about one race in seven.
  }, { isolationLevel: 'read committed' })
  if (!('pair' in outcome) || !outcome.pair) {
    if (outcome.error === 'REFRESH_REUSED') {
      forgetFamily(outcome.familyId!)
      await audit({ userId: outcome.userId!, action: 'auth.refresh_reuse', outcome: 'failure', ip })
    }
    throw new AppError(outcome.error ?? 'REFRESH_INVALID')
  }
  return outcome.pair
}

/** Sign-out revokes every refresh token of the caller's sign-in (its family). */
export async function logout(userId: number, familyId: string, ip: string) {
  await useDb().update(refreshTokens).set({ revokedAt: nowSql() }).where(and(eq(refreshTokens.familyId, familyId), eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
  forgetFamily(familyId)
  await audit({ userId, action: 'auth.logout', ip })
}

export async function sessionUser(userId: number): Promise<SessionUser> {
  const [user] = await useDb().select({ id: users.id, email: users.email, name: users.name }).from(users).where(eq(users.id, userId)).limit(1)
  if (!user) throw new AppError('UNAUTHENTICATED')
  return user
}

// ── Access-token liveness ──────────────────────────────────────────────────────────────────
// An access token is a signed JWT valid for 15 minutes on its own; to make sign-out, a family
// revoked for refresh-token reuse, and a deleted user take effect within seconds, every
// authenticated request also asks MySQL (which every instance shares) whether the token's family
// (`fid`) has a revoked token and whether its user still exists: two index lookups. The answer is
// cached in this process for FAMILY_CACHE_MS, so the cost is one query per active sign-in per few
// seconds, and revocation is seen by every instance within that time (at once on the instance
// that revoked).
export const FAMILY_CACHE_MS = 5000
const FAMILY_CACHE_MAX = 10_000
const familyCache = new Map<string, { userId: number, alive: boolean, until: number }>()

function forgetFamily(familyId: string) {
  familyCache.delete(familyId)
}

/** Whether an access token of this family and user may still be used (cached FAMILY_CACHE_MS). */
export async function familyAlive(userId: number, familyId: string): Promise<boolean> {
  const hit = familyCache.get(familyId)
  if (hit && hit.userId === userId && hit.until > Date.now()) return hit.alive
  const [state] = await useDb().select({
    revoked: sql<number>`EXISTS (SELECT 1 FROM ${refreshTokens} WHERE ${refreshTokens.familyId} = ${familyId} AND ${refreshTokens.revokedAt} IS NOT NULL)`,
    user: sql<number>`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${userId})`,
  }).from(sql`(SELECT 1) AS one`)
  const alive = !Number(state?.revoked) && !!Number(state?.user)
  // Bounded: when full, drop the oldest entries (Map keeps insertion order).
  if (familyCache.size >= FAMILY_CACHE_MAX) {
    for (const k of familyCache.keys()) {
      familyCache.delete(k)
      if (familyCache.size < FAMILY_CACHE_MAX * 0.9) break
    }
  }
  familyCache.delete(familyId)
  familyCache.set(familyId, { userId, alive, until: Date.now() + FAMILY_CACHE_MS })
  return alive
}

/**
 * Deletes refresh tokens that expired more than a day ago (their access tokens died long
 * before) and expired rate-limit counters, in small batches so no sweep holds locks for long.
 * Returns how many refresh tokens were removed.
 */
export async function pruneExpiredAuthState(now = new Date()): Promise<number> {
  const cutoff = nowSql(new Date(now.getTime() - 24 * 3600 * 1000))
  let removed = 0
  for (;;) {
    const [res] = await useDb().delete(refreshTokens).where(lt(refreshTokens.expiresAt, cutoff)).limit(1000)
    removed += res.affectedRows
    if (res.affectedRows < 1000) break
  }
  for (;;) {
    const [res] = await useDb().delete(rateLimits).where(and(isNotNull(rateLimits.expire), lt(rateLimits.expire, now.getTime()))).limit(1000)
    if (res.affectedRows < 1000) break
  }
  return removed
}
