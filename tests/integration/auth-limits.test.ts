// Sign-in and sign-up limits under concurrency, with the default limits, on a stack of their own
// (their counters and the rows they leave must not meet the shared stack's).
//
// The one non-default setting is COFRE_TRUST_PROXY=true: it only lets each test pick its client
// address with X-Forwarded-For (everything here would otherwise come from 127.0.0.1 and share one
// per-IP budget); the limits themselves are the defaults, so it hides nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import mysql from 'mysql2/promise'
import { dropDatabase } from '../../scripts/lib/database.mjs'
import { http, uniqueEmail } from '../support/api'
import { appEnv, createTestDatabase, startApp, type AppProcess, type LocalAws } from '../support/stack'
import { startLocalAws } from '../../scripts/lib/local-aws.mjs'

let app: AppProcess
let aws: LocalAws
let databaseUrl: string
const base = () => app.baseURL
const PASSWORD = 'correct horse battery staple'

// A fresh address per call: 10.<test>.<n>.<n> spaces tests apart.
let ipCounter = 0
const freshIp = () => { ipCounter++; return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}` }
const from = (ip: string) => ({ 'x-forwarded-for': ip })

async function login(email: string, password: string, ip: string) {
  return http(base(), 'POST', '/api/auth/login', { body: { email, password }, headers: from(ip) })
}

async function register(email: string, ip: string) {
  return http(base(), 'POST', '/api/auth/register', { body: { email, name: 'Limits', password: PASSWORD }, headers: from(ip) })
}

async function newAccount() {
  const email = uniqueEmail('lim')
  const res = await register(email, freshIp())
  expect(res.status).toBe(201)
  return email
}

const count = (statuses: number[]) => statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {})

beforeAll(async () => {
  databaseUrl = await createTestDatabase()
  // Refresh tokens and counters long expired, as months of sign-ins leave them: the sweep that
  // runs a few seconds after start-up (and hourly) must remove them. Inserted before the app starts.
  const conn = await mysql.createConnection(databaseUrl)
  await conn.query(`INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES
    (999999, 'old-family', REPEAT('a', 64), NOW(3) - INTERVAL 2 DAY),
    (999999, 'old-family', REPEAT('b', 64), NOW(3) - INTERVAL 40 DAY),
    (999999, 'live-family', REPEAT('c', 64), NOW(3) + INTERVAL 1 DAY)`)
  await conn.query(`INSERT INTO rate_limits (\`key\`, points, expire) VALUES ('login_ip:old', 3, ?), ('login_ip:live', 3, ?)`, [Date.now() - 60_000, Date.now() + 3_600_000])
  await conn.end()
  aws = await startLocalAws({ port: 0 })
  app = await startApp(appEnv(databaseUrl, aws, { COFRE_TRUST_PROXY: 'true' }))
})

afterAll(async () => {
  await app?.stop()
  await aws?.stop().catch(() => {})
  if (databaseUrl) await dropDatabase(databaseUrl)
})

describe('sign-in attempts are counted before the password is checked', () => {
  it('40 parallel wrong passwords from one address: exactly 10 are checked (401), the rest 429 with Retry-After', async () => {
    const email = await newAccount()
    const ip = freshIp()
    const res = await Promise.all(Array.from({ length: 40 }, (_, i) => login(email, `wrong password ${i}`, ip)))
    const statuses = count(res.map(r => r.status))
    expect(statuses).toEqual({ 401: 10, 429: 30 })
    expect(Number(res.find(r => r.status === 429)!.headers.get('retry-after'))).toBeGreaterThan(0)
    // The right password from that address is refused now too.
    expect((await login(email, PASSWORD, ip)).status).toBe(429)
  })

  it('a burst of 30 guesses holding the right one gets at most 10 checked', async () => {
    const email = await newAccount()
    const ip = freshIp()
    const guesses = Array.from({ length: 30 }, (_, i) => (i === 29 ? PASSWORD : `guess number ${i}`))
    const statuses = count((await Promise.all(guesses.map(g => login(email, g, ip)))).map(r => r.status))
    expect((statuses[401] ?? 0) + (statuses[200] ?? 0)).toBe(10)
    expect(statuses[429]).toBe(20)
  })

  it('a lockout by someone else does not lock the owner out: another address signs in; the lockout ends with its window', async () => {
    const email = await newAccount()
    const attacker = freshIp()
    for (let i = 0; i < 10; i++) expect((await login(email, `wrong password ${i}`, attacker)).status).toBe(401)
    expect((await login(email, PASSWORD, attacker)).status).toBe(429)
    // The owner, from an address that never failed, is let in.
    expect((await login(email, PASSWORD, freshIp())).status).toBe(200)
    // The attacker's lockout is a fixed window: once it is over (aged here in the table, as 15
    // minutes passing would), the right password from that address passes again.
    const conn = await mysql.createConnection(databaseUrl)
    const [r] = await conn.query<mysql.ResultSetHeader>('UPDATE rate_limits SET expire = ? WHERE `key` LIKE \'login\\_acct\\_ip:%\' AND `key` LIKE ?', [Date.now() - 1, `%|${attacker}`])
    await conn.end()
    expect(r.affectedRows).toBe(1)
    expect((await login(email, PASSWORD, attacker)).status).toBe(200)
  })

  it('distributed guessing hits the account-wide cap of 100; the owner still signs in from an address they used before', async () => {
    const email = await newAccount()
    const home = freshIp()
    expect((await login(email, PASSWORD, home)).status).toBe(200)
    // 100 failures spread over 20 addresses (5 each, under the per-address limit), in waves of 20
    // parallel guesses (a wave the size of all 100 would also meet the hashing queue's bound).
    const attackers = Array.from({ length: 20 }, freshIp)
    const statuses: number[] = []
    for (let wave = 0; wave < 5; wave++) {
      const res = await Promise.all(attackers.map((ip, i) => login(email, `botnet guess ${wave}-${i}`, ip)))
      statuses.push(...res.map(r => r.status))
    }
    expect(count(statuses)).toEqual({ 401: 100 })
    // The 101st guess, from yet another address, is refused before any password check…
    expect((await login(email, 'one more guess!', freshIp())).status).toBe(429)
    // …and so is a correct password from an address the account never used (the trade-off,
    // docs/security.md), while the owner's known address is not affected by the cap.
    expect((await login(email, PASSWORD, freshIp())).status).toBe(429)
    expect((await login(email, PASSWORD, home)).status).toBe(200)
  })
})

describe('registration', () => {
  it('is limited per address: 15 parallel sign-ups from one address create exactly 10 accounts, then 429 with Retry-After', async () => {
    const ip = freshIp()
    const res = await Promise.all(Array.from({ length: 15 }, () => register(uniqueEmail('reg'), ip)))
    expect(count(res.map(r => r.status))).toEqual({ 201: 10, 429: 5 })
    const refused = res.find(r => r.status === 429)!
    expect(refused.body.data.code).toBe('RATE_LIMITED')
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    // Another address is not affected.
    expect((await register(uniqueEmail('reg'), freshIp())).status).toBe(201)
  })

  it('password hashing leaves thread-pool threads for other requests: a static file is served while 40 sign-ups hash', async () => {
    // scrypt runs on libuv's thread pool, as do file reads: a static asset is the probe. Without
    // a bound, the read queues behind every hash of the burst; with it, it is served at once.
    const html = await (await fetch(`${base()}/login`)).text()
    const asset = /\/_nuxt\/[\w.-]+\.js/.exec(html)![0]
    expect((await fetch(base() + asset)).status).toBe(200)
    const started = Date.now()
    const burst = Promise.all(Array.from({ length: 40 }, () => register(uniqueEmail('burst'), freshIp())))
    await new Promise(r => setTimeout(r, 150)) // the hashes are queued by now
    const t0 = Date.now()
    const probe = await fetch(base() + asset, { headers: { 'cache-control': 'no-cache' } })
    await probe.arrayBuffer()
    const probeMs = Date.now() - t0
    const res = await burst
    const burstMs = Date.now() - started
    expect(res.every(r => r.status === 201)).toBe(true)
    console.log(`static asset during 40 sign-ups: ${probeMs} ms; the burst took ${burstMs} ms`)
    expect(probe.status).toBe(200)
    expect(probeMs).toBeLessThan(burstMs / 4)
  })
})

describe('housekeeping', () => {
  it('the sweep removes refresh tokens and counters long expired, and keeps live ones', async () => {
    const conn = await mysql.createConnection(databaseUrl)
    try {
      const deadline = Date.now() + 20_000
      let tokens: string[] = []
      for (;;) {
        const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT family_id FROM refresh_tokens WHERE user_id = 999999 ORDER BY id')
        tokens = rows.map(r => r.family_id)
        if (tokens.length === 1 || Date.now() > deadline) break
        await new Promise(r => setTimeout(r, 250))
      }
      expect(tokens).toEqual(['live-family'])
      const [limits] = await conn.query<mysql.RowDataPacket[]>('SELECT `key` FROM rate_limits WHERE `key` IN (\'login_ip:old\', \'login_ip:live\')')
      expect(limits.map(r => r.key)).toEqual(['login_ip:live'])
    }
    finally { await conn.end() }
  })
})

describe('sign-in forms never put a credential in a URL', () => {
  for (const page of ['login', 'register']) {
    it(`/${page}: the form posts, and a native POST (no JavaScript) is answered without echoing the body`, async () => {
      const html = await (await fetch(`${base()}/${page}`)).text()
      const form = /<form\b[^>]*>/.exec(html)![0]
      expect(form).toMatch(/method="post"/)
      expect(form).toMatch(new RegExp(`action="/${page}"`))
      const secret = 'never-in-a-url-' + Date.now()
      const res = await fetch(`${base()}/${page}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ name: 'X', email: 'someone@test.cofre', password: secret }).toString(),
        redirect: 'manual',
      })
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe(`/${page}?nojs=1`)
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(await res.text()).not.toContain(secret)
      const notice = await (await fetch(`${base()}${res.headers.get('location')}`, { headers: { 'accept-language': 'en' } })).text()
      expect(notice).toContain('Nothing was sent')
      expect(app.logs()).not.toContain(secret)
    })
  }
})
