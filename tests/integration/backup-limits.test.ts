// What a user may do and store, with the defaults: restores have their own rate limit, every
// kind of backup counts toward the stored quota, and the object a backup names is derived from
// its owner and id, never taken from the catalogue's `url`.
import { createHash, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { http, newUser } from '../support/api'
import { connect, seedLedger } from '../support/data'
import { startStack, type Stack } from '../support/stack'

const base = () => inject('stack').baseURL
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe('the catalogue is not trusted for where an object lives', () => {
  it('a row whose url points at another user\'s object neither presigns, restores nor deletes that object', async () => {
    const [alice, bob] = await Promise.all([newUser(base(), 'url-a'), newUser(base(), 'url-b')])
    const conn = await connect(inject('stack').databaseUrl)
    await seedLedger(conn, alice.id, 20)
    await seedLedger(conn, bob.id, 30)
    const a = (await http(base(), 'POST', '/api/backup', { token: alice.accessToken })).body
    const b = (await http(base(), 'POST', '/api/backup', { token: bob.accessToken })).body
    const bobsBytes = Buffer.from(await (await fetch(b.urlDownload)).arrayBuffer())
    // The catalogue row of Alice's backup now names Bob's object.
    const [[bobRow]] = await conn.query<any[]>('SELECT url FROM backups WHERE id = ?', [b.backup_id])
    await conn.query('UPDATE backups SET url = ? WHERE id = ?', [bobRow.url, a.backup_id])

    const link = await http(base(), 'GET', `/api/backups/${a.backup_id}/download`, { token: alice.accessToken })
    expect(link.status).toBe(200)
    expect(new URL(link.body.urlDownload).pathname).toContain(`/users/${alice.id}/`)
    expect(new URL(link.body.urlDownload).pathname).not.toContain(`/users/${bob.id}/`)
    const got = Buffer.from(await (await fetch(link.body.urlDownload)).arrayBuffer())
    expect(sha256(got)).toBe(a.sha256)

    const restored = await http(base(), 'POST', '/api/restore', { token: alice.accessToken, body: { backup_id: a.backup_id } })
    expect(restored.status).toBe(200)
    expect(restored.body.restored.transactions).toBe(20)

    expect((await http(base(), 'DELETE', `/api/backups/${a.backup_id}`, { token: alice.accessToken })).status).toBe(204)
    const again = await http(base(), 'GET', `/api/backups/${b.backup_id}/download`, { token: bob.accessToken })
    expect(sha256(Buffer.from(await (await fetch(again.body.urlDownload)).arrayBuffer()))).toBe(sha256(bobsBytes))
    await conn.end()
  })
})

describe('stored backups quota (default 100 per user, every kind)', () => {
  it('refuses a backup and a restore with 409 QUOTA_EXCEEDED at the quota, and allows them again after a deletion', async () => {
    const u = await newUser(base(), 'quota')
    const conn = await connect(inject('stack').databaseUrl)
    await seedLedger(conn, u.id, 10)
    const first = await http(base(), 'POST', '/api/backup', { token: u.accessToken })
    expect(first.status, JSON.stringify(first.body)).toBe(201)
    const real = first.body
    // 98 safety backups and one failed backup (which keeps no object and does not count).
    const rows = Array.from({ length: 98 }, () => [randomUUID(), u.id, 's3://x/y', 'completed', 'pre-restore', 1, 1])
    rows.push([randomUUID(), u.id, 's3://x/y', 'failed', 'manual', 1, 1])
    await conn.query('INSERT INTO backups (id, user_id, url, status, kind, format_version, schema_version) VALUES ?', [rows])
    expect((await http(base(), 'POST', '/api/backup', { token: u.accessToken })).status).toBe(201) // the 100th
    const refused = await http(base(), 'POST', '/api/backup', { token: u.accessToken })
    expect([refused.status, refused.body.data?.code], JSON.stringify(refused.body)).toEqual([409, 'QUOTA_EXCEEDED'])
    const restore = await http(base(), 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: real.backup_id } })
    expect([restore.status, restore.body.data.code]).toEqual([409, 'QUOTA_EXCEEDED'])
    await conn.query('DELETE FROM backups WHERE user_id = ? AND kind = \'pre-restore\' LIMIT 1', [u.id])
    expect((await http(base(), 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: real.backup_id } })).status).toBe(200)
    await conn.end()
  })
})

describe('restore rate limit (default: 10 per user per hour)', () => {
  let stack: Stack
  beforeAll(async () => { stack = await startStack() })
  afterAll(async () => { await stack?.stop() })

  it('the 11th restore within the hour answers 429 with Retry-After; another user is unaffected', async () => {
    const [u, other] = await Promise.all([newUser(stack.app.baseURL, 'rrate'), newUser(stack.app.baseURL, 'rrate2')])
    const conn = await connect(stack.databaseUrl)
    await seedLedger(conn, u.id, 10)
    await seedLedger(conn, other.id, 10)
    await conn.end()
    const b = (await http(stack.app.baseURL, 'POST', '/api/backup', { token: u.accessToken })).body
    for (let i = 0; i < 10; i++) {
      expect((await http(stack.app.baseURL, 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: b.backup_id } })).status).toBe(200)
    }
    const limited = await http(stack.app.baseURL, 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: b.backup_id } })
    expect([limited.status, limited.body.data.code]).toEqual([429, 'RATE_LIMITED'])
    const retry = Number(limited.headers.get('retry-after'))
    expect(retry).toBeGreaterThan(3000)
    expect(retry).toBeLessThanOrEqual(3600)
    const ob = (await http(stack.app.baseURL, 'POST', '/api/backup', { token: other.accessToken })).body
    expect((await http(stack.app.baseURL, 'POST', '/api/restore', { token: other.accessToken, body: { backup_id: ob.backup_id } })).status).toBe(200)
  })
})
