import { createHmac } from 'node:crypto'
import { describe, expect, inject, it } from 'vitest'
import { SignJWT, UnsecuredJWT } from 'jose'
import mysql from 'mysql2/promise'
import { http, newUser } from '../support/api'
import { startApp } from '../support/stack'

const base = () => inject('stack').baseURL
const secret = () => new TextEncoder().encode(inject('stack').env.NUXT_JWT_SECRET!)
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')

async function sessionWith(token: string) {
  return http(base(), 'GET', '/api/auth/session', { token })
}

describe('sign-up, sign-in, session', () => {
  it('registers, signs in and returns the session; wrong password is 401 INVALID_CREDENTIALS', async () => {
    const user = await newUser(base(), 'auth')
    const s = await sessionWith(user.accessToken)
    expect(s.status).toBe(200)
    expect(s.body).toMatchObject({ id: user.id, email: user.email })
    expect(s.body.passwordHash).toBeUndefined()

    const ok = await http(base(), 'POST', '/api/auth/login', { body: { email: user.email.toUpperCase(), password: user.password } })
    expect(ok.status).toBe(200)
    expect(typeof ok.body.token.accessToken).toBe('string')

    const bad = await http(base(), 'POST', '/api/auth/login', { body: { email: user.email, password: 'wrong password!!' } })
    expect(bad.status).toBe(401)
    expect(bad.body.data.code).toBe('INVALID_CREDENTIALS')
  })

  it('refuses a duplicate e-mail with 409 EMAIL_TAKEN and bad input with 422 field errors, in the request language', async () => {
    const user = await newUser(base(), 'dup')
    const dup = await http(base(), 'POST', '/api/auth/register', { body: { email: user.email, name: 'X', password: 'another password' } })
    expect(dup.status).toBe(409)
    expect(dup.body.data.code).toBe('EMAIL_TAKEN')

    const bad = await http(base(), 'POST', '/api/auth/register', { body: { email: 'not-an-email', name: '', password: 'short' }, headers: { 'accept-language': 'en' } })
    expect(bad.status).toBe(422)
    expect(bad.body.data.code).toBe('VALIDATION_FAILED')
    expect(Object.keys(bad.body.data.fields).sort()).toEqual(['email', 'name', 'password'])
    expect(bad.body.message).toBe('Some fields are not valid.')
    const pt = await http(base(), 'POST', '/api/auth/register', { body: {}, headers: { 'accept-language': 'pt-BR' } })
    expect(pt.body.message).toBe('Alguns campos não são válidos.')
  })

  it('answers malformed JSON with 400 BAD_REQUEST, never 500', async () => {
    const res = await http(base(), 'POST', '/api/auth/login', { rawBody: '{"email": ' })
    expect(res.status).toBe(400)
    expect(res.body.data.code).toBe('BAD_REQUEST')
  })
})

describe('refresh rotation and reuse detection', () => {
  it('rotates on every use; reusing a spent token (after the grace window) revokes the whole family', async () => {
    const user = await newUser(base(), 'rot')
    const r1 = await http(base(), 'POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } })
    expect(r1.status).toBe(200)
    const second = r1.body.token.refreshToken
    expect(second).not.toBe(user.refreshToken)
    const r2 = await http(base(), 'POST', '/api/auth/refresh', { body: { refreshToken: second } })
    expect(r2.status).toBe(200)
    const third = r2.body.token.refreshToken

    // Age the spent token past the race grace window, as an attacker replaying it later would.
    const mysql = await import('mysql2/promise')
    const conn = await mysql.createConnection(inject('stack').databaseUrl)
    await conn.query('UPDATE refresh_tokens SET used_at = used_at - INTERVAL 1 MINUTE WHERE user_id = ? AND used_at IS NOT NULL', [user.id])
    await conn.end()

    const reuse = await http(base(), 'POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } })
    expect(reuse.status).toBe(401)
    expect(reuse.body.data.code).toBe('REFRESH_REUSED')
    // The legitimate latest token is dead too: the family was revoked.
    const after = await http(base(), 'POST', '/api/auth/refresh', { body: { refreshToken: third } })
    expect(after.status).toBe(401)
    expect(after.body.data.code).toBe('REFRESH_INVALID')
  })

  it('tolerates a concurrent double use within the grace window (two tabs) without revoking', async () => {
    const user = await newUser(base(), 'race')
    const [a, b] = await Promise.all([
      http(base(), 'POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } }),
      http(base(), 'POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } }),
    ])
    expect([a.status, b.status]).toEqual([200, 200])
    const next = await http(base(), 'POST', '/api/auth/refresh', { body: { refreshToken: a.body.token.refreshToken } })
    expect(next.status).toBe(200)
  })

  it('sign-out revokes the refresh tokens of that sign-in', async () => {
    const user = await newUser(base(), 'out')
    const out = await http(base(), 'POST', '/api/auth/logout', { token: user.accessToken })
    expect(out.status).toBe(200)
    const r = await http(base(), 'POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } })
    expect(r.status).toBe(401)
  })

  it('refuses an unknown refresh token', async () => {
    const r = await http(base(), 'POST', '/api/auth/refresh', { body: { refreshToken: 'x'.repeat(43) } })
    expect(r.status).toBe(401)
    expect(r.body.data.code).toBe('REFRESH_INVALID')
  })
})

describe('access token attacks', () => {
  it('requires a token on protected routes (401 UNAUTHENTICATED)', async () => {
    const res = await http(base(), 'GET', '/api/auth/session')
    expect(res.status).toBe(401)
    expect(res.body.data.code).toBe('UNAUTHENTICATED')
  })

  it('refuses alg:none, a bad signature, HS/RS confusion, wrong iss/aud, missing exp and expired tokens', async () => {
    const user = await newUser(base(), 'jwt')
    const claims = { sub: String(user.id), fid: 'f', iss: 'cofre', aud: 'cofre-api' }
    const now = Math.floor(Date.now() / 1000)

    const none = new UnsecuredJWT(claims).setIssuedAt().setExpirationTime('5m').encode()
    const wrongKey = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode('x'.repeat(48)))
    const hs512 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS512' }).setIssuedAt().setExpirationTime('5m').sign(secret())
    // RS256 header, "signed" with the HMAC secret: the classic algorithm-confusion forgery.
    const header = b64({ alg: 'RS256', typ: 'JWT' })
    const payload = b64({ ...claims, iat: now, exp: now + 300 })
    const rsConfused = `${header}.${payload}.${createHmac('sha256', inject('stack').env.NUXT_JWT_SECRET!).update(`${header}.${payload}`).digest('base64url')}`
    const wrongIss = await new SignJWT({ ...claims, iss: 'evil' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(secret())
    const wrongAud = await new SignJWT({ ...claims, aud: 'other' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(secret())
    const noExp = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().sign(secret())
    const expired = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(now - 3600).setExpirationTime(now - 60).sign(secret())
    const tampered = user.accessToken.replace(/\.([^.]+)\./, (_, p: string) => `.${b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: String(user.id + 1) })}.`)

    for (const [name, token] of Object.entries({ none, wrongKey, hs512, rsConfused, wrongIss, wrongAud, noExp, tampered })) {
      const res = await sessionWith(token)
      expect(res.status, name).toBe(401)
      expect(res.body.data.code, name).toBe('UNAUTHENTICATED')
    }
    const exp = await sessionWith(expired)
    expect(exp.status).toBe(401)
    expect(exp.body.data.code).toBe('TOKEN_EXPIRED')

    // Control: a well-formed token signed with the real secret, for the user's live sign-in
    // (family), is accepted, so the refusals above are real.
    const fid = JSON.parse(Buffer.from(user.accessToken.split('.')[1]!, 'base64url').toString()).fid
    const good = await new SignJWT({ ...claims, fid }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(secret())
    expect((await sessionWith(good)).status).toBe(200)
  })
})

describe('verified access tokens are remembered by their exact text (issue 16)', () => {
  it('answers each user\'s token with that user alone, and a token differing in one character is verified anew and refused', async () => {
    const [a, b] = await Promise.all([newUser(base(), 'cache-a'), newUser(base(), 'cache-b')])
    for (let i = 0; i < 3; i++) {
      for (const u of [a, b]) {
        const res = await sessionWith(u.accessToken)
        expect(res.status).toBe(200)
        expect(res.body.id).toBe(u.id)
      }
    }
    const sig = a.accessToken.split('.')[2]!
    const flipped = `${a.accessToken.slice(0, -sig.length)}${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`
    const res = await sessionWith(flipped)
    expect(res.status).toBe(401)
    expect(res.body.data.code).toBe('UNAUTHENTICATED')
  })

  it('a token accepted while valid is refused as expired once its exp has passed', async () => {
    const user = await newUser(base(), 'cache-exp')
    const fid = JSON.parse(Buffer.from(user.accessToken.split('.')[1]!, 'base64url').toString()).fid
    const exp = Math.floor(Date.now() / 1000) + 2
    const shortLived = await new SignJWT({ sub: String(user.id), fid, iss: 'cofre', aud: 'cofre-api' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(exp).sign(secret())
    expect((await sessionWith(shortLived)).status).toBe(200)
    await new Promise(r => setTimeout(r, exp * 1000 - Date.now() + 200))
    const res = await sessionWith(shortLived)
    expect(res.status).toBe(401)
    expect(res.body.data.code).toBe('TOKEN_EXPIRED')
  })
})

/**
 * Polls a protected route until the access token is refused; returns how long that took after
 * `since`. (A ledger route, not /api/auth/session, which would refuse a deleted user on its own.)
 */
async function msUntilRefused(baseURL: string, token: string, since: number, limitMs = 15_000) {
  for (;;) {
    const res = await http(baseURL, 'GET', '/api/accounts', { token })
    if (res.status === 401) { expect(res.body.data.code).toBe('UNAUTHENTICATED'); return Date.now() - since }
    expect(res.status).toBe(200)
    if (Date.now() - since > limitMs) throw new Error(`access token still accepted ${limitMs} ms after revocation`)
    await new Promise(r => setTimeout(r, 100))
  }
}

describe('access tokens die with their sign-in', () => {
  it('sign-out: the access token is refused at once on this instance, and within seconds on another instance', async () => {
    // A second production server on the same database, as a second instance behind a balancer.
    const other = await startApp(inject('stack').env)
    try {
      const user = await newUser(base(), 'revoke')
      expect((await sessionWith(user.accessToken)).status).toBe(200)
      expect((await http(other.baseURL, 'GET', '/api/auth/session', { token: user.accessToken })).status).toBe(200)
      const out = Date.now()
      expect((await http(base(), 'POST', '/api/auth/logout', { token: user.accessToken })).status).toBe(200)
      expect((await sessionWith(user.accessToken)).status).toBe(401)
      const elsewhere = await msUntilRefused(other.baseURL, user.accessToken, out)
      console.log(`sign-out seen by another instance after ${elsewhere} ms`)
      expect(elsewhere).toBeLessThanOrEqual(8_000)
      // Other sign-ins of the same user are not affected.
      const again = await http(base(), 'POST', '/api/auth/login', { body: { email: user.email, password: user.password } })
      expect((await sessionWith(again.body.token.accessToken)).status).toBe(200)
    }
    finally { await other.stop() }
  })

  it('a family revoked for refresh-token reuse takes its access tokens with it', async () => {
    const user = await newUser(base(), 'reuse')
    const r1 = await http(base(), 'POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } })
    const access = r1.body.token.accessToken
    expect((await sessionWith(access)).status).toBe(200)
    const conn = await mysql.createConnection(inject('stack').databaseUrl)
    await conn.query('UPDATE refresh_tokens SET used_at = used_at - INTERVAL 1 MINUTE WHERE user_id = ? AND used_at IS NOT NULL', [user.id])
    await conn.end()
    const revokedAt = Date.now()
    expect((await http(base(), 'POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } })).body.data.code).toBe('REFRESH_REUSED')
    expect(await msUntilRefused(base(), access, revokedAt)).toBeLessThanOrEqual(8_000)
    expect(await msUntilRefused(base(), user.accessToken, revokedAt)).toBeLessThanOrEqual(8_000)
  })

  it('a deleted user\'s access and refresh tokens stop working within seconds', async () => {
    const user = await newUser(base(), 'deleted')
    expect((await http(base(), 'GET', '/api/accounts', { token: user.accessToken })).status).toBe(200)
    const conn = await mysql.createConnection(inject('stack').databaseUrl)
    await conn.query('DELETE FROM preferences WHERE user_id = ?', [user.id])
    await conn.query('DELETE FROM users WHERE id = ?', [user.id])
    await conn.end()
    const deleted = Date.now()
    const ms = await msUntilRefused(base(), user.accessToken, deleted)
    console.log(`deleted user's token refused after ${ms} ms`)
    expect(ms).toBeLessThanOrEqual(8_000)
    const r = await http(base(), 'POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } })
    expect(r.status).toBe(401)
    expect(r.body.data.code).toBe('REFRESH_INVALID')
  })
})

describe('caching and rotation of server-rendered pages', () => {
  const cookies = (u: { accessToken?: string, refreshToken: string }) => [u.accessToken && `cofre.access=${u.accessToken}`, `cofre.refresh=${u.refreshToken}`].filter(Boolean).join('; ')

  it('auth routes and pages (signed in or not) answer Cache-Control: no-store', async () => {
    const user = await newUser(base(), 'nostore')
    expect((await sessionWith(user.accessToken)).headers.get('cache-control')).toBe('no-store')
    expect((await http(base(), 'POST', '/api/auth/login', { body: { email: user.email, password: user.password } })).headers.get('cache-control')).toBe('no-store')
    expect((await http(base(), 'POST', '/api/auth/refresh', { body: { refreshToken: 'x'.repeat(43) } })).headers.get('cache-control')).toBe('no-store')
    const page = await fetch(`${base()}/accounts`, { headers: { cookie: cookies(user) }, redirect: 'manual' })
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('data-testid="signed-in-as"')
    expect(page.headers.get('cache-control')).toBe('no-store')
    expect((await fetch(`${base()}/login`)).headers.get('cache-control')).toBe('no-store')
  })

  it('a page view with a live access token does not spend the refresh token; one without an access token does', async () => {
    const user = await newUser(base(), 'rotate')
    const conn = await mysql.createConnection(inject('stack').databaseUrl)
    const spent = async () => Number(((await conn.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM refresh_tokens WHERE user_id = ? AND used_at IS NOT NULL', [user.id]))[0][0]!).n)
    try {
      for (let i = 0; i < 3; i++) {
        const page = await fetch(`${base()}/accounts`, { headers: { cookie: cookies(user) }, redirect: 'manual' })
        expect(page.status).toBe(200)
        expect(page.headers.getSetCookie().some(c => c.startsWith('cofre.refresh='))).toBe(false)
      }
      expect(await spent()).toBe(0)
      // No access token (expired cookie): the render refreshes once and hands out the new pair.
      const page = await fetch(`${base()}/accounts`, { headers: { cookie: cookies({ refreshToken: user.refreshToken }) }, redirect: 'manual' })
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('data-testid="signed-in-as"')
      expect(page.headers.getSetCookie().some(c => c.startsWith('cofre.refresh='))).toBe(true)
      expect(await spent()).toBe(1)
    }
    finally { await conn.end() }
  })
})
