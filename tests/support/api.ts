// Small HTTP client for integration tests: real requests to the real server, nothing mocked.
import { randomBytes } from 'node:crypto'

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
