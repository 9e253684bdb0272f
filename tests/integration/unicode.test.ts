// Ill-formed Unicode over HTTP: a lone UTF-16 surrogate (the JSON escape "\ud800") in any text
// field of any write route is the same 422 VALIDATION_FAILED naming the field — never a 500 (a JSON
// tag) nor a U+FFFD silently stored (a name) — and nothing is written. Body bytes that are not
// UTF-8 are refused the same way; URLs cannot carry a lone surrogate (percent-decoding refuses
// one) and their patterned fields refuse the raw bytes.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { http, newUser, uniqueEmail, type TestUser } from '../support/api'
import { connect, dumpUser } from '../support/data'

const base = () => inject('stack').baseURL
const LONE = '\uD800'
const RAW_ESCAPE = '\\ud800' // what a client writes in JSON text

let user: TestUser
let ids: { account: number, category: number, transaction: number, backup: string }

beforeAll(async () => {
  user = await newUser(base(), 'unicode')
  const post = (path: string, body: unknown) => http(base(), 'POST', path, { token: user.accessToken, body })
  const account = (await post('/api/accounts', { name: 'A', currency: 'BRL' })).body.id
  const category = (await post('/api/categories', { name: 'C', kind: 'expense' })).body.id
  const transaction = (await post('/api/transactions', { accountId: account, amount: '1.00', date: '2024-01-01', description: 'd', tags: ['t'] })).body.id
  const backup = (await http(base(), 'POST', '/api/backup', { token: user.accessToken })).body.backup_id
  ids = { account, category, transaction, backup }
})

// [method, path, JSON body with the marker ¤ where the lone surrogate goes, field named in the answer]
const routes = (): [string, string, string, string, boolean][] => [
  ['POST', '/api/accounts', '{"name":"Conta ¤","currency":"BRL"}', 'name', true],
  ['PATCH', `/api/accounts/${ids.account}`, '{"name":"¤"}', 'name', true],
  ['POST', '/api/categories', '{"name":"Cat ¤","kind":"income"}', 'name', true],
  ['PATCH', `/api/categories/${ids.category}`, '{"name":"x¤"}', 'name', true],
  ['POST', '/api/transactions', `{"accountId":${ids.account},"amount":"1.00","date":"2024-01-01","description":"¤"}`, 'description', true],
  ['POST', '/api/transactions', `{"accountId":${ids.account},"amount":"1.00","date":"2024-01-01","description":"d","notes":"n ¤"}`, 'notes', true],
  ['POST', '/api/transactions', `{"accountId":${ids.account},"amount":"1.00","date":"2024-01-01","description":"d","tags":["ok","¤"]}`, 'tags.1', true],
  ['PATCH', `/api/transactions/${ids.transaction}`, '{"tags":["¤"]}', 'tags.0', true],
  ['PATCH', `/api/transactions/${ids.transaction}`, '{"description":"¤ x"}', 'description', true],
  ['PATCH', `/api/transactions/${ids.transaction}`, '{"notes":"¤"}', 'notes', true],
  ['PATCH', '/api/preferences', '{"defaultCurrency":"US¤"}', 'defaultCurrency', true],
  ['POST', '/api/restore', '{"backup_id":"¤"}', 'backup_id', true],
  ['PATCH', `/api/backups/${ids.backup}`, '{"note":"antes ¤"}', 'note', true],
  ['POST', '/api/auth/register', `{"email":"${uniqueEmail('lone')}","name":"Ana ¤","password":"long enough password"}`, 'name', false],
  ['POST', '/api/auth/register', `{"email":"${uniqueEmail('lone')}","name":"Ana","password":"long enough ¤"}`, 'password', false],
  ['POST', '/api/auth/register', `{"email":"¤${uniqueEmail('lone')}","name":"Ana","password":"long enough password"}`, 'email', false],
  ['POST', '/api/auth/login', `{"email":"${uniqueEmail('lone')}","password":"pw ¤"}`, 'password', false],
  ['POST', '/api/auth/refresh', `{"refreshToken":"${'x'.repeat(40)}¤"}`, 'refreshToken', false],
]

describe('a lone surrogate in any text field of any write route', () => {
  it('is 422 VALIDATION_FAILED naming the field, identically everywhere, and nothing is stored', async () => {
    const conn = await connect(inject('stack').databaseUrl)
    const before = await dumpUser(conn, user.id)
    const [[{ users: usersBefore }]] = await conn.query<any[]>('SELECT COUNT(*) AS users FROM users')
    const [[{ n: backupsBefore }]] = await conn.query<any[]>('SELECT COUNT(*) AS n FROM backups WHERE user_id = ?', [user.id])
    for (const [method, path, body, field, auth] of routes()) {
      for (const lone of [RAW_ESCAPE, '\\udfff', `\\ud83d${'x'}`]) {
        const res = await http(base(), method, path, { token: auth ? user.accessToken : undefined, rawBody: body.replace('¤', lone) })
        expect(res.status, `${method} ${path} ${field}`).toBe(422)
        expect(res.body.data, `${method} ${path} ${field}`).toEqual({ code: 'VALIDATION_FAILED', fields: { [field]: 'validation.unicode' } })
      }
    }
    expect(await dumpUser(conn, user.id)).toEqual(before)
    const [[{ users: usersAfter }]] = await conn.query<any[]>('SELECT COUNT(*) AS users FROM users')
    expect(usersAfter).toBe(usersBefore)
    const [[{ n: backupsAfter }]] = await conn.query<any[]>('SELECT COUNT(*) AS n FROM backups WHERE user_id = ?', [user.id])
    expect(backupsAfter).toBe(backupsBefore)
    await conn.end()
    expect(LONE.isWellFormed()).toBe(false)
  })

  it('body bytes that are not UTF-8 are the same 422, not a U+FFFD stored in their place', async () => {
    const conn = await connect(inject('stack').databaseUrl)
    const before = await dumpUser(conn, user.id)
    const bytes = Buffer.concat([Buffer.from('{"name":"Conta '), Buffer.from([0xED, 0xA0, 0x80, 0xFF]), Buffer.from('","currency":"BRL"}')])
    const res = await fetch(`${base()}/api/accounts`, { method: 'POST', headers: { 'content-type': 'application/json', 'authorization': `Bearer ${user.accessToken}` }, body: bytes })
    expect(res.status).toBe(422)
    expect((await res.json()).data).toEqual({ code: 'VALIDATION_FAILED', fields: { _: 'validation.unicode' } })
    expect(await dumpUser(conn, user.id)).toEqual(before)
    await conn.end()
  })

  it('well-formed astral text is stored exactly', async () => {
    const res = await http(base(), 'POST', '/api/transactions', { token: user.accessToken, body: { accountId: ids.account, amount: '1.00', date: '2024-01-01', description: 'Salário 🎉', tags: ['👨‍👩‍👧', '𝄞'] } })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ description: 'Salário 🎉', tags: ['👨‍👩‍👧', '𝄞'] })
  })

  it('URLs: percent-encoded surrogates in a path or query are refused, never a 500', async () => {
    const get = (path: string) => http(base(), 'GET', path, { token: user.accessToken })
    expect((await get('/api/transactions?from=%ED%A0%80')).status).toBe(422)
    expect((await get('/api/transactions?sortBy=%ED%A0%80')).status).toBe(422)
    expect((await get('/api/categories?kind=%ED%A0%80')).status).toBe(422)
    // Path parameters go through the same zod mapping as bodies (422 naming the parameter).
    expect((await get('/api/accounts/%ED%A0%80')).status).toBe(422)
    expect((await get(`/api/backups/${ids.backup.slice(0, -1)}%ED%A0%80`)).status).toBe(422)
  })
})
