// The restore's read-only window and how a busy database answers, deterministically: the window
// is opened by hand (flag + the user's job lock held from another connection, as a restore on any
// instance would), and a row lock is held from a test connection.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { http, newUser, type TestUser } from '../support/api'
import { connect, databaseName, seedLedger } from '../support/data'
import { jobLockName } from '../../server/services/job-lock'

const base = () => inject('stack').baseURL
let user: TestUser
let conn: Awaited<ReturnType<typeof connect>>
let accountId: number
const lock = () => jobLockName(databaseName(inject('stack').databaseUrl), user.id)
const post = () => http(base(), 'POST', '/api/transactions', { token: user.accessToken, body: { accountId, amount: '-2.50', date: '2026-11-30', description: 'during a restore' } })

beforeAll(async () => {
  user = await newUser(base(), 'gate')
  conn = await connect(inject('stack').databaseUrl)
  accountId = (await seedLedger(conn, user.id, 5)).accountIds[0]!
})
afterAll(async () => { await conn?.end() })

describe('restore window', () => {
  it('refuses every ledger write with 409 RESTORE_IN_PROGRESS while a restore holds the data, and reports it for the banner', async () => {
    const [[got]] = await conn.query<any[]>('SELECT GET_LOCK(?, 0) AS got', [lock()])
    expect(got.got).toBe(1)
    await conn.query('UPDATE users SET restoring_since = NOW(3) WHERE id = ?', [user.id])
    try {
      const [[before]] = await conn.query<any[]>('SELECT COUNT(*) AS n FROM transactions WHERE user_id = ?', [user.id])
      const writes = await Promise.all([
        post(),
        http(base(), 'POST', '/api/accounts', { token: user.accessToken, body: { name: 'New', currency: 'BRL', openingBalance: '0.00' } }),
        http(base(), 'PATCH', `/api/accounts/${accountId}`, { token: user.accessToken, body: { name: 'Renamed' } }),
        http(base(), 'POST', '/api/categories', { token: user.accessToken, body: { name: 'New', kind: 'expense', parentId: null } }),
        http(base(), 'PATCH', '/api/preferences', { token: user.accessToken, body: { theme: 'dark' } }),
      ])
      for (const w of writes) expect([w.status, w.body.data?.code]).toEqual([409, 'RESTORE_IN_PROGRESS'])
      expect(writes[0]!.body.message).toMatch(/restor|restaura/i)
      const [[after]] = await conn.query<any[]>('SELECT COUNT(*) AS n FROM transactions WHERE user_id = ?', [user.id])
      expect(after.n).toBe(before.n)
      expect((await http(base(), 'GET', '/api/restores/active', { token: user.accessToken })).body).toEqual({ restoring: true, restore: null })
      // Reads go on.
      expect((await http(base(), 'GET', '/api/transactions', { token: user.accessToken })).status).toBe(200)
    }
    finally { await conn.query('SELECT RELEASE_LOCK(?)', [lock()]) }
    // A flag left behind by a restore whose process died (its job lock is gone) blocks nothing.
    expect((await http(base(), 'GET', '/api/restores/active', { token: user.accessToken })).body).toEqual({ restoring: false, restore: null })
    expect((await post()).status).toBe(201)
  })
})

describe('a busy database', () => {
  it('a write that cannot get its row lock in time answers 500 DATABASE_ERROR (nothing changed), never INTERNAL_ERROR', async () => {
    await conn.beginTransaction()
    try {
      await conn.query('SELECT id FROM accounts WHERE id = ? FOR UPDATE', [accountId])
      const res = await http(base(), 'PATCH', `/api/accounts/${accountId}`, { token: user.accessToken, body: { name: 'Blocked' } })
      expect(res.status).toBe(500)
      expect(res.body.data.code).toBe('DATABASE_ERROR')
    }
    finally { await conn.rollback() }
    expect((await http(base(), 'PATCH', `/api/accounts/${accountId}`, { token: user.accessToken, body: { name: 'Free again' } })).status).toBe(200)
  }, 30_000)
})
