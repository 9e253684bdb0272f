// Concurrency and load against a private stack: parallel restores for many users, a burst of
// jobs for one user (exactly one runs), and a mixed load of listing and backups. The server's log
// is captured and must never contain a token, a password or a presigned URL.
import autocannon from 'autocannon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { http, newUser, type TestUser } from '../support/api'
import { connect, dumpUser, seedLedger } from '../support/data'
import { startStack, type Stack } from '../support/stack'

const LOAD_SECONDS = Number(process.env.COFRE_HOSTILE_LOAD_SECONDS ?? 8)
let stack: Stack
const base = () => stack.app.baseURL

beforeAll(async () => { stack = await startStack({ NUXT_BACKUPS_RATE_LIMIT: '100000', NUXT_DATABASE_POOL_SIZE: '30' }) })
afterAll(async () => { await stack?.stop() })

describe('hostile: concurrency', () => {
  it('20 concurrent restores for 20 users all succeed with each user\'s own data', async () => {
    const conn = await connect(stack.databaseUrl)
    const users: TestUser[] = await Promise.all(Array.from({ length: 20 }, (_, i) => newUser(base(), `par${i}`)))
    for (const [i, u] of users.entries()) await seedLedger(conn, u.id, 200 + i * 10)
    const originals = await Promise.all(users.map(u => dumpUser(conn, u.id)))
    const backups = await Promise.all(users.map(u => http(base(), 'POST', '/api/backup', { token: u.accessToken })))
    expect(backups.map(b => b.status)).toEqual(Array(20).fill(201))
    for (const u of users) await conn.query('DELETE FROM transactions WHERE user_id = ? AND id % 2 = 0', [u.id])
    const restores = await Promise.all(users.map((u, i) => http(base(), 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: backups[i]!.body.backup_id } })))
    expect(restores.map(r => r.status)).toEqual(Array(20).fill(200))
    for (const [i, u] of users.entries()) {
      expect(restores[i]!.body.restored.transactions).toBe(200 + i * 10)
      expect(await dumpUser(conn, u.id)).toEqual(originals[i])
    }
    await conn.end()
  })

  it('10 concurrent backup/restore requests for one user: exactly one runs, the others get 409', async () => {
    const u = await newUser(base(), 'burst')
    const conn = await connect(stack.databaseUrl)
    await seedLedger(conn, u.id, 60_000)
    await conn.end()
    const first = await http(base(), 'POST', '/api/backup', { token: u.accessToken })
    expect(first.status).toBe(201)
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2
      ? http(base(), 'POST', '/api/backup', { token: u.accessToken })
      : http(base(), 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: first.body.backup_id } }))))
    const statuses = burst.map(r => r.status)
    expect(statuses.filter(s => s === 200 || s === 201)).toHaveLength(1)
    expect(statuses.filter(s => s === 409)).toHaveLength(9)
    for (const r of burst.filter(x => x.status === 409)) expect(r.body.data.code).toBe('JOB_IN_PROGRESS')
  })

  it(`a mixed load of listing and backups for ${LOAD_SECONDS} s has < 1% errors`, async () => {
    const listers = await Promise.all(Array.from({ length: 4 }, (_, i) => newUser(base(), `load${i}`)))
    const backers = await Promise.all(Array.from({ length: 2 }, (_, i) => newUser(base(), `loadb${i}`)))
    let n = 0
    const run = (o: autocannon.Options) => new Promise<autocannon.Result>((resolve, reject) => autocannon(o, (err, res) => (err ? reject(err) : resolve(res))))
    const [list, backup] = await Promise.all([
      run({ url: `${base()}/api/backups`, connections: 8, duration: LOAD_SECONDS, setupClient: (c) => { c.setHeaders({ authorization: `Bearer ${listers[n++ % listers.length]!.accessToken}` }) } }),
      run({ url: `${base()}/api/backup`, method: 'POST', connections: 2, duration: LOAD_SECONDS, setupClient: (c) => { c.setHeaders({ authorization: `Bearer ${backers[n++ % backers.length]!.accessToken}` }) } }),
    ])
    const total = list.requests.total + backup.requests.total
    const errors = list.errors + list.timeouts + list.non2xx + backup.errors + backup.timeouts + backup.non2xx
    console.log(`hostile load: ${total} requests in ${LOAD_SECONDS} s (${list.requests.total} listings, p99 ${list.latency.p99} ms; ${backup.requests.total} backups), ${errors} errors`)
    expect(list.requests.total).toBeGreaterThan(LOAD_SECONDS * 20)
    expect(backup.requests.total).toBeGreaterThan(LOAD_SECONDS)
    expect(errors / total).toBeLessThan(0.01)
  })

  it('never logs tokens, passwords or presigned URLs', async () => {
    const u = await newUser(base(), 'logs')
    const b = await http(base(), 'POST', '/api/backup', { token: u.accessToken })
    await http(base(), 'GET', `/api/backups/${b.body.backup_id}/download`, { token: u.accessToken })
    await http(base(), 'POST', '/api/auth/login', { body: { email: u.email, password: 'wrong password here' } })
    const logs = stack.app.logs()
    expect(logs.length).toBeGreaterThan(0)
    expect(logs).not.toContain('X-Amz-Signature')
    expect(logs).not.toContain(new URL(b.body.urlDownload).search)
    expect(logs).not.toContain(u.accessToken)
    expect(logs).not.toContain(u.refreshToken)
    expect(logs).not.toContain(u.password)
    expect(logs).not.toContain('wrong password here')
    expect(logs).not.toContain(stack.env.NUXT_JWT_SECRET!)
  })
})
