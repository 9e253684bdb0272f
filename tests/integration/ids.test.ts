// Forged ids near 2^53: a restore inserts rows with the file's ids and the table's AUTO_INCREMENT,
// shared by every user, continues above them. Ids above the format's bound (2^50) are refused
// (422 bad_value, nothing changed); at the bound, other users' next ids are still exact numbers
// that read, update and delete as themselves. Its own stack: it moves the shared AUTO_INCREMENT.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { http, newUser, type TestUser } from '../support/api'
import { connect, dumpUser, gunzipLines, seedLedger } from '../support/data'
import { replaceObject, serialize } from '../support/mutate'
import { startStack, type Stack } from '../support/stack'

const BOUND = 2 ** 50

describe('row ids in backups are bounded so the shared AUTO_INCREMENT stays exact', () => {
  let stack: Stack
  let user: TestUser
  let other: TestUser
  let conn: Awaited<ReturnType<typeof connect>>
  let lines: any[]
  beforeAll(async () => {
    stack = await startStack()
    user = await newUser(stack.app.baseURL, 'ids')
    other = await newUser(stack.app.baseURL, 'ids-other')
    conn = await connect(stack.databaseUrl)
    await seedLedger(conn, user.id, 20)
    await seedLedger(conn, other.id, 3)
    const b = await http(stack.app.baseURL, 'POST', '/api/backup', { token: user.accessToken })
    lines = await gunzipLines(Buffer.from(await (await fetch(b.body.urlDownload)).arrayBuffer()))
  })
  afterAll(async () => {
    await conn?.end()
    await stack?.stop()
  })

  /** A fresh backup of the user whose object is replaced by the good file with its last transaction id set to `id`. */
  async function restoreWithLastTransactionId(id: number) {
    const l = structuredClone(lines)
    l.filter((x: any) => x.t === 'transactions').at(-1).r[0] = id
    const b = await http(stack.app.baseURL, 'POST', '/api/backup', { token: user.accessToken })
    await replaceObject({ endpoint: stack.aws.endpoint, bucket: stack.aws.bucket, conn, backupId: b.body.backup_id, bytes: serialize(l), updateRow: true })
    return http(stack.app.baseURL, 'POST', '/api/restore', { token: user.accessToken, body: { backup_id: b.body.backup_id } })
  }
  const nextAutoIncrement = async () => {
    const [[r]] = await conn.query<any[]>('SELECT AUTO_INCREMENT AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = \'transactions\'')
    return Number(r.n)
  }

  it('2^53 - 10 and 2^50 + 1 → 422 bad_value, data and the shared AUTO_INCREMENT unchanged', async () => {
    const before = await dumpUser(conn, user.id)
    const ai = await nextAutoIncrement()
    for (const id of [2 ** 53 - 10, BOUND + 1, 2 ** 64 - 1]) {
      const res = await restoreWithLastTransactionId(id)
      expect(res.status, String(id)).toBe(422)
      expect(res.body.data, String(id)).toMatchObject({ code: 'BACKUP_INVALID', reason: 'bad_value' })
    }
    expect(await dumpUser(conn, user.id)).toEqual(before)
    expect(await nextAutoIncrement()).toBe(ai)
    const tx = await http(stack.app.baseURL, 'POST', '/api/transactions', { token: other.accessToken, body: { accountId: (await http(stack.app.baseURL, 'GET', '/api/accounts', { token: other.accessToken })).body.items[0].id, amount: '1.00', date: '2024-01-01', description: 'after' } })
    expect(tx.status).toBe(201)
    expect(tx.body.id).toBeLessThan(BOUND)
  })

  it('at the bound (2^50) the restore succeeds, and another user\'s next ids are exact and usable', async () => {
    const res = await restoreWithLastTransactionId(BOUND)
    expect(res.status).toBe(200)
    expect(await nextAutoIncrement()).toBe(BOUND + 1)
    const api = (method: string, path: string, body?: unknown) => http(stack.app.baseURL, method, path, { token: other.accessToken, body })
    const accountId = (await api('GET', '/api/accounts')).body.items[0].id
    const created = await api('POST', '/api/transactions', { accountId, amount: '2.00', date: '2024-01-02', description: 'next' })
    expect(created.status).toBe(201)
    expect(created.body.id).toBe(BOUND + 1)
    expect(Number.isSafeInteger(created.body.id)).toBe(true)
    const [[row]] = await conn.query<any[]>('SELECT CAST(id AS CHAR) AS id, user_id FROM transactions WHERE description = \'next\'')
    expect(row).toEqual({ id: String(BOUND + 1), user_id: other.id })
    expect((await api('GET', `/api/transactions/${created.body.id}`)).body).toMatchObject({ id: BOUND + 1, description: 'next' })
    expect((await api('PATCH', `/api/transactions/${created.body.id}`, { description: 'edited' })).status).toBe(200)
    expect((await api('DELETE', `/api/transactions/${created.body.id}`)).status).toBe(204)
  })
})
