import { createHash } from 'node:crypto'
import { RateLimiterMySQL, RateLimiterRes } from 'rate-limiter-flexible'

// Sign-in and sign-up limits live in MySQL (table rate_limits, created by a migration), so they
// hold across several app instances. Every attempt is *counted before* the password is checked:
// rate-limiter-flexible's consume() is one upsert in a transaction, so N parallel guesses get at
// most `limit` password checks, never N (a read-then-write check let 40 parallel guesses through).
//
// Windows are fixed (they start at the first attempt and are not extended by later ones), so a
// lockout always ends at most one window after it started. The policy and its trade-off are in
// docs/security.md ("online guessing").
const LOGIN_WINDOW_SECONDS = 15 * 60
const REGISTER_WINDOW_SECONDS = 3600

const envInt = (name: string, fallback: number) => {
  const n = Number(process.env[name])
  return Number.isSafeInteger(n) && n > 0 ? n : fallback
}

export const loginLimits = () => ({
  /** Failed sign-ins per (account, client IP) per window: the real user's IP is never counted by others' guesses. */
  accountIp: envInt('COFRE_LOGIN_LIMIT_ACCOUNT', 10),
  /** Failed sign-ins per account from IPs it never signed in from, all together: bounds distributed guessing. */
  account: envInt('COFRE_LOGIN_LIMIT_ACCOUNT_GLOBAL', 100),
  /** Sign-in attempts per client IP, successful or not. */
  ip: envInt('COFRE_LOGIN_LIMIT_IP', 50),
})

/** Registrations per client IP per hour. */
export const registerLimit = () => envInt('COFRE_REGISTER_LIMIT_IP', 10)

let limiters: { accountIp: RateLimiterMySQL, account: RateLimiterMySQL, ip: RateLimiterMySQL, register: RateLimiterMySQL } | undefined

function make(keyPrefix: string, points: number, duration: number) {
  return new RateLimiterMySQL({
    storeClient: useDbHandle().pool,
    storeType: 'pool',
    dbName: decodeURIComponent(new URL(cofreConfig().databaseUrl).pathname.slice(1)),
    tableName: 'rate_limits',
    tableCreated: true,
    keyPrefix,
    points,
    duration,
    // Expired rows are deleted by the hourly sweep (server/plugins/11.prune-auth.ts).
    clearExpiredByTimeout: false,
  })
}

function useLimiters() {
  const l = loginLimits()
  return (limiters ??= {
    accountIp: make('login_acct_ip', l.accountIp, LOGIN_WINDOW_SECONDS),
    account: make('login_acct', l.account, LOGIN_WINDOW_SECONDS),
    ip: make('login_ip', l.ip, LOGIN_WINDOW_SECONDS),
    register: make('register_ip', registerLimit(), REGISTER_WINDOW_SECONDS),
  })
}

// Keys hold a digest of the e-mail: bounded length (the key column is 255) and no addresses in
// the limits table.
const accountKey = (email: string) => createHash('sha256').update(email).digest('hex')

const retryAfter = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000))

async function consume(limiter: RateLimiterMySQL, key: string) {
  try { await limiter.consume(key) }
  catch (res) {
    if (res instanceof RateLimiterRes) throw new AppError('RATE_LIMITED', { retryAfterSeconds: retryAfter(res) })
    throw new AppError('DATABASE_ERROR', {}, { cause: res })
  }
}

/**
 * Counts one sign-in attempt against the client IP, the (account, IP) pair and, unless this IP is
 * one the account signed in from before (`trustedIp`), the account as a whole. Throws 429 as soon
 * as one of them is exhausted. Called before the password is checked; a correct password then
 * gives the points back (recordLoginSuccess), so only failures stay counted.
 */
export async function consumeLoginAttempt(email: string, ip: string, trustedIp: () => Promise<boolean>) {
  const l = useLimiters()
  const account = accountKey(email)
  await consume(l.ip, ip)
  await consume(l.accountIp, `${account}|${ip}`)
  if (!(await trustedIp())) await consume(l.account, account)
}

export async function recordLoginSuccess(email: string, ip: string, trustedIp: boolean) {
  const l = useLimiters()
  const account = accountKey(email)
  await l.accountIp.delete(`${account}|${ip}`)
  if (!trustedIp) await l.account.reward(account, 1)
}

/** Counts one registration against the client IP (before the password is hashed). */
export async function consumeRegistration(ip: string) {
  await consume(useLimiters().register, ip)
}
