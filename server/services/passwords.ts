import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto'

// scrypt (memory-hard): N=2^15, r=8, p=1 → 32 MiB and ~60-100 ms per hash on this hardware.
const PARAMS = { N: 1 << 15, r: 8, p: 1 }
const KEYLEN = 32

// scrypt runs on libuv's thread pool (4 threads by default), which file reads, zlib (backup
// compression) and DNS share: a burst of sign-ups or sign-ins once held every thread and stalled
// everything else. At most COFRE_PASSWORD_HASH_CONCURRENCY hashes run at once (default 2, half the
// pool); a few more wait their turn, and beyond that the request is refused at once (503 SERVICE_BUSY + Retry-After)
// rather than piling up behind seconds of queued hashing.
const envInt = (name: string, fallback: number) => {
  const n = Number(process.env[name])
  return Number.isSafeInteger(n) && n > 0 ? n : fallback
}
const MAX_RUNNING = envInt('COFRE_PASSWORD_HASH_CONCURRENCY', 2)
const MAX_WAITING = envInt('COFRE_PASSWORD_HASH_QUEUE', 64)
let running = 0
const waiting: Array<() => void> = []

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) {
    if (waiting.length >= MAX_WAITING) throw new AppError('SERVICE_BUSY', { retryAfterSeconds: 1 })
    await new Promise<void>(resolve => waiting.push(resolve))
  }
  else running++
  try { return await work() }
  finally {
    // Hand the slot straight to the next waiter (running stays the same), or free it.
    const next = waiting.shift()
    if (next) next()
    else running--
  }
}

function scrypt(password: string, salt: Buffer, o: typeof PARAMS): Promise<Buffer> {
  const opts: ScryptOptions = { ...o, maxmem: 256 * o.N * o.r }
  return withHashSlot(() => new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, KEYLEN, opts, (err, key) => (err ? reject(err) : resolve(key)))))
}

/** `scrypt$N$r$p$salt$hash` (base64url), so parameters can be raised later without a migration. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const hash = await scrypt(password, salt, PARAMS)
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), hash.toString('base64url')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64url')
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/** A hash to compare against when the e-mail is unknown, so timing does not reveal accounts. */
let dummy: Promise<string> | undefined
export const dummyHash = () => (dummy ??= hashPassword(randomBytes(12).toString('hex')))
