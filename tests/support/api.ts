// Small HTTP client for integration tests: real requests to the real server, nothing mocked.
import { randomBytes } from 'node:crypto'
import { seedUser } from '../../scripts/lib/seed.mjs'

export interface ApiResponse<T = any> { status: number, body: T, headers: Headers }

export async function http<T = any>(baseURL: string, method: string, path: string, opts: { token?: string, body?: unknown, rawBody?: string, headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`
  let body: string | undefined = opts.rawBody
  if (opts.body !== undefined) { body = JSON.stringify(opts.body); headers['content-type'] = 'application/json' }
  if (opts.rawBody !== undefined) headers['content-type'] ??= 'application/json'
  const res = await fetch(baseURL + path, { method, headers, body, redirect: 'manual' })
  const text = await res.text()
  let parsed: unknown = text
  try { parsed = text ? JSON.parse(text) : undefined }
  catch { /* not JSON */ }
  return { status: res.status, body: parsed as T, headers: res.headers }
}

export interface TestUser { id: number, email: string, password: string, accessToken: string, refreshToken: string }

export const uniqueEmail = (tag = 'user') => `${tag}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}@test.cofre`

/** Registers a fresh user over HTTP and returns its tokens. */
export async function newUser(baseURL: string, tag = 'user'): Promise<TestUser> {
  const email = uniqueEmail(tag)
  const password = 'correct horse battery staple'
  const reg = await http(baseURL, 'POST', '/api/auth/register', { body: { email, name: `Test ${tag} Ação 🚀`, password } })
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`)
  const session = await http(baseURL, 'GET', '/api/auth/session', { token: reg.body.token.accessToken })
  return { id: session.body.id, email, password, accessToken: reg.body.token.accessToken, refreshToken: reg.body.token.refreshToken }
}

let seeding: Promise<unknown> = Promise.resolve()

/**
 * A fresh user written straight to the database (as `npm run seed` does: a few accounts and
 * categories, no transactions), then signed in over HTTP. For tests about something other than
 * signing up: they stay under the sign-up limit per IP (10 an hour) at its default.
 */
export async function seededUser(baseURL: string, databaseUrl: string, tag = 'user'): Promise<TestUser> {
  const email = uniqueEmail(tag)
  const password = 'correct horse battery staple'
  // One at a time: seedUser's transactions, run side by side, deadlock on the users table's index.
  const seeded = seeding.then(() => seedUser({ url: databaseUrl, email, password, name: `Test ${tag} Ação 🚀`, transactions: 0 }))
  seeding = seeded.catch(() => {})
  await seeded
  const login = await http(baseURL, 'POST', '/api/auth/login', { body: { email, password } })
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`)
  const session = await http(baseURL, 'GET', '/api/auth/session', { token: login.body.token.accessToken })
  return { id: session.body.id, email, password, accessToken: login.body.token.accessToken, refreshToken: login.body.token.refreshToken }
}
