import { RateLimiterMySQL, RateLimiterRes } from 'rate-limiter-flexible'


// Login limits live in MySQL (table rate_limits, created by a migration), so they hold across
// several app instances. Per account: 10 failures / 15 min; per IP: 50 attempts / 15 min.
let limiters: { account: RateLimiterMySQL, ip: RateLimiterMySQL } | undefined

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
    clearExpiredByTimeout: false,
  })
}

function useLimiters() {
  return (limiters ??= {
    account: make('login_account', Number(process.env.COFRE_LOGIN_LIMIT_ACCOUNT ?? 10), 15 * 60),
    ip: make('login_ip', Number(process.env.COFRE_LOGIN_LIMIT_IP ?? 50), 15 * 60),
  })
}

async function consume(limiter: RateLimiterMySQL, key: string) {
  try { await limiter.consume(key) }
  catch (res) {
    if (res instanceof RateLimiterRes) throw new AppError('RATE_LIMITED', { retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) })
    throw new AppError('DATABASE_ERROR', {}, { cause: res })
  }
}

/** Counts a login attempt against the IP, and refuses early if the account is locked out. */
export async function checkLoginAllowed(email: string, ip: string) {
  const { account, ip: ipLimiter } = useLimiters()
  await consume(ipLimiter, ip)
  const res = await account.get(email)
  if (res && res.remainingPoints <= 0) throw new AppError('RATE_LIMITED', { retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) })
}

export async function recordLoginFailure(email: string) {
  await useLimiters().account.penalty(email, 1)
}

export async function recordLoginSuccess(email: string) {
  await useLimiters().account.delete(email)
}
