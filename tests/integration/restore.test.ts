import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { DeleteBucketCommand } from '@aws-sdk/client-s3'
import { http, newUser, type TestUser } from '../support/api'
import { connect, databaseName, dumpUser, gunzipLines, seedLedger, waitForStatement } from '../support/data'
import { replaceObject, s3Client, serialize } from '../support/mutate'
import { drainNotifications as messages } from '../support/sqs'
import { startStack, type Stack } from '../support/stack'

const base = () => inject('stack').baseURL

async function backup(baseURL: string, user: TestUser) {
  const res = await http(baseURL, 'POST', '/api/backup', { token: user.accessToken })
  expect(res.status).toBe(201)
  return res.body
}
async function restore(baseURL: string, user: TestUser, backupId: string, lang = 'pt-BR') {
  return http(baseURL, 'POST', '/api/restore', { token: user.accessToken, body: { backup_id: backupId }, headers: { 'accept-language': lang } })
}
describe('POST /api/restore', () => {
  let user: TestUser
  let bystander: TestUser
  beforeAll(async () => {
    user = await newUser(base(), 'rs')
    bystander = await newUser(base(), 'rs-by')
    const conn = await connect(inject('stack').databaseUrl)
    await seedLedger(conn, user.id, 300)
    await seedLedger(conn, bystander.id, 50)
    await conn.end()
  })

  it('round trip: backup → change and delete data → restore → identical, table by table; safety backup undoes it', async () => {
    const conn = await connect(inject('stack').databaseUrl)
    const original = await dumpUser(conn, user.id)
    const bystanderBefore = await dumpUser(conn, bystander.id)
    const b = await backup(base(), user)

    await conn.query('UPDATE transactions SET amount = \'999.99\', notes = NULL, tags = \'["changed"]\' WHERE user_id = ? AND id % 2 = 0', [user.id])
    await conn.query('DELETE FROM transactions WHERE user_id = ? AND id % 3 = 0', [user.id])
    await conn.query('UPDATE categories SET parent_id = NULL, name = \'renamed\' WHERE user_id = ?', [user.id])
    await conn.query('UPDATE preferences SET theme = \'light\' WHERE user_id = ?', [user.id])
    await conn.query('INSERT INTO accounts (user_id, name, currency, opening_balance) VALUES (?, \'new\', \'EUR\', \'1.00\')', [user.id])
    const changed = await dumpUser(conn, user.id)
    expect(changed).not.toEqual(original)

    const res = await restore(base(), user, b.backup_id)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ message: 'Backup restaurado', backup_id: b.backup_id, restored: { accounts: 2, categories: 2, transactions: 300, preferences: 1 } })
    expect(await dumpUser(conn, user.id)).toEqual(original)
    expect(await dumpUser(conn, bystander.id)).toEqual(bystanderBefore)

    const list = (await http(base(), 'GET', '/api/backups', { token: user.accessToken })).body.items
    const safety = list.find((x: any) => x.backup_id === res.body.safety_backup_id)
    expect(safety).toMatchObject({ kind: 'pre-restore', status: 'completed' })

    // Undo: restoring the safety backup brings back the changed data.
    const undo = await restore(base(), user, res.body.safety_backup_id, 'en')
    expect(undo.status).toBe(200)
    expect(undo.body.message).toBe('Backup restored')
    expect(await dumpUser(conn, user.id)).toEqual(changed)
    const [audits] = await conn.query<any[]>('SELECT action, outcome, target_id, detail FROM audit_log WHERE user_id = ? AND action = \'backup.restore\' ORDER BY id', [user.id])
    expect(audits).toHaveLength(2)
    // Written in the restore's own transaction, as the same JSON the rest of the trail uses.
    const detail = (a: any) => typeof a.detail === 'string' ? JSON.parse(a.detail) : a.detail
    expect(audits[0]).toMatchObject({ outcome: 'success', target_id: b.backup_id })
    expect(detail(audits[0])).toMatchObject({ safetyBackupId: res.body.safety_backup_id, restored: { accounts: 2, categories: 2, transactions: 300, preferences: 1 } })
    expect(detail(audits[1]).restoreId).toMatch(/^[0-9a-f-]{36}$/)
    await conn.end()
  })

  it('is a 404 for another user\'s backup and a 400/422 for bad input', async () => {
    const b = await backup(base(), user)
    const r = await restore(base(), bystander, b.backup_id)
    expect(r.status).toBe(404)
    expect((await http(base(), 'POST', '/api/restore', { token: user.accessToken, body: { backup_id: 'nope' } })).status).toBe(422)
    expect((await http(base(), 'POST', '/api/restore', { token: user.accessToken, body: { backup_id: b.backup_id, user_id: 1 } })).status).toBe(422)
    expect((await http(base(), 'POST', '/api/restore', { token: user.accessToken, rawBody: '{' })).status).toBe(400)
  })
})

describe('invalid backups: 422 BACKUP_INVALID with a precise reason, data unchanged', () => {
  let user: TestUser
  let other: TestUser
  let lines: any[]
  let good: any
  let goodBytes: Buffer
  let conn: Awaited<ReturnType<typeof connect>>
  let before: Record<string, unknown[]>

  beforeAll(async () => {
    user = await newUser(base(), 'mut')
    other = await newUser(base(), 'mut-other')
    conn = await connect(inject('stack').databaseUrl)
    await seedLedger(conn, user.id, 40)
    await seedLedger(conn, other.id, 5)
    good = await backup(base(), user)
    goodBytes = Buffer.from(await (await fetch(good.urlDownload)).arrayBuffer())
    lines = await gunzipLines(goodBytes)
    before = await dumpUser(conn, user.id)
  })
  afterAll(async () => { await conn?.end() })

  const clone = () => structuredClone(lines)
  const txIdx = (name: string) => lines[0].tables.find((t: any) => t.name === 'transactions').columns.findIndex((c: any) => c.name === name)

  /** Makes a fresh backup, replaces its object with `bytes` (or a function of its own bytes), restores it. */
  async function expectRefused(mutation: Buffer | ((own: Buffer) => Buffer), reason: string, updateRow = true) {
    const b = await backup(base(), user)
    const bytes = typeof mutation === 'function' ? mutation(Buffer.from(await (await fetch(b.urlDownload)).arrayBuffer())) : mutation
    await replaceObject({ endpoint: inject('stack').s3Endpoint, bucket: inject('stack').bucket, conn, backupId: b.backup_id, bytes, updateRow })
    const res = await restore(base(), user, b.backup_id, 'en')
    expect(res.status, reason).toBe(422)
    expect(res.body.data, reason).toMatchObject({ code: 'BACKUP_INVALID', reason })
    expect(res.body.message).toBe('Invalid backup')
    expect(await dumpUser(conn, user.id)).toEqual(before)
  }

  // The object exactly as the server wrote it (re-serializing would change the gzip bytes).
  const original = () => Buffer.from(goodBytes)

  it('bit flip → checksum_mismatch', async () => {
    await expectRefused((own) => {
      own[Math.floor(own.length / 2)]! ^= 0x10
      return own
    }, 'checksum_mismatch', false)
  })
  it('truncation → size_mismatch; truncation with the catalogue updated → truncated', async () => {
    await expectRefused(own => own.subarray(0, 200), 'size_mismatch', false)
    await expectRefused(original().subarray(0, 200), 'truncated')
  })
  it('appended bytes → size_mismatch', async () => {
    await expectRefused(own => Buffer.concat([own, Buffer.from('extra')]), 'size_mismatch', false)
  })
  it('swapped for another user\'s object → checksum or size mismatch, then owner_mismatch', async () => {
    const theirs = await backup(base(), other)
    const bytes = Buffer.from(await (await fetch(theirs.urlDownload)).arrayBuffer())
    const b = await backup(base(), user)
    await replaceObject({ endpoint: inject('stack').s3Endpoint, bucket: inject('stack').bucket, conn, backupId: b.backup_id, bytes, updateRow: false })
    const res = await restore(base(), user, b.backup_id)
    expect(res.status).toBe(422)
    expect(['checksum_mismatch', 'size_mismatch']).toContain(res.body.data.reason)
    await expectRefused(bytes, 'owner_mismatch')
  })
  it('edited row without the digest → digest_mismatch; with it → passes to the value checks', async () => {
    const l = clone()
    l.find((x: any) => x.t === 'transactions').r[txIdx('amount')] = '1.00'
    await expectRefused(serialize(l, { recomputeDigest: false }), 'digest_mismatch')
    l.find((x: any) => x.t === 'transactions').r[txIdx('amount')] = 'abc'
    await expectRefused(serialize(l), 'bad_value')
    l.find((x: any) => x.t === 'transactions').r[txIdx('amount')] = 12.5
    await expectRefused(serialize(l), 'bad_value')
  })
  it('forged header: another user id → owner_mismatch; newer format → unsupported_format', async () => {
    const l = clone(); l[0].userId = other.id
    await expectRefused(serialize(l), 'owner_mismatch')
    const v = clone(); v[0].version = 3
    await expectRefused(serialize(v), 'unsupported_format')
    const s = clone(); s[0].schemaVersion = 99
    await expectRefused(serialize(s), 'unsupported_format')
  })
  it('unknown table / unknown column / dangling reference / duplicate key / row counts', async () => {
    const t = clone(); t[0].tables.push({ name: 'users', primaryKey: 'id', columns: [{ name: 'id' }] })
    await expectRefused(serialize(t), 'unknown_table')
    const c = clone(); c[0].tables.find((x: any) => x.name === 'accounts').columns.push({ name: 'is_admin', type: 'int', nullable: true })
    for (const x of c) if (x.t === 'accounts') x.r.push(1)
    await expectRefused(serialize(c), 'unknown_column')
    const d = clone(); d.find((x: any) => x.t === 'transactions').r[txIdx('account_id')] = 987654321
    await expectRefused(serialize(d), 'dangling_reference')
    const k = clone(); const first = k.findIndex((x: any) => x.t === 'transactions'); k.splice(first, 0, structuredClone(k[first]))
    await expectRefused(serialize(k, { recount: true }), 'duplicate_key')
    const n = clone(); n.splice(n.findIndex((x: any) => x.t === 'transactions'), 1)
    await expectRefused(serialize(n), 'row_count_mismatch')
  })
  it('a row id owned by another user → duplicate_key, inside the transaction, rolled back', async () => {
    const [[theirs]] = await conn.query<any[]>('SELECT id FROM transactions WHERE user_id = ? ORDER BY id DESC LIMIT 1', [other.id])
    const l = clone()
    const rows = l.filter((x: any) => x.t === 'transactions')
    rows.at(-1).r[0] = Math.max(theirs.id, rows.at(-2).r[0] + 1)
    if (theirs.id <= rows.at(-2).r[0]) return expect.fail('fixture ids overlap unexpectedly')
    await expectRefused(serialize(l), 'duplicate_key')
  })
  it('gzip bomb → too_large with bounded work; not gzip → not_gzip; empty → truncated', async () => {
    await expectRefused(gzipSync(Buffer.alloc(100 * 1024 * 1024)), 'too_large')
    await expectRefused(Buffer.from('{"type":"header"}\n'), 'not_gzip')
    await expectRefused(Buffer.alloc(0), 'truncated')
  })
})

describe('restore failures', () => {
  let stack: Stack
  beforeAll(async () => { stack = await startStack() })
  afterAll(async () => { await stack?.stop() })

  it('A3: the MySQL connection killed mid-restore leaves the data exactly as before; restore.failed published', async () => {
    const u = await newUser(stack.app.baseURL, 'rkill')
    const conn = await connect(stack.databaseUrl)
    await seedLedger(conn, u.id, 80_000)
    const b = await backup(stack.app.baseURL, u)
    await conn.query('UPDATE transactions SET amount = \'1.11\' WHERE user_id = ? AND id % 7 = 0', [u.id])
    const before = await dumpUser(conn, u.id)
    await messages(stack.aws.endpoint, stack.aws.queueName)
    const pending = restore(stack.app.baseURL, u, b.backup_id)
    // The changed rows are updated in place: the kill lands on one of those UPDATEs, mid-apply.
    expect(await waitForStatement(conn, databaseName(stack.databaseUrl), 'UPDATE `transactions` AS dst%', { kill: true })).toBe(true)
    const res = await pending
    expect(res.status).toBe(500)
    expect(res.body.data.code).toBe('DATABASE_ERROR')
    expect(await dumpUser(conn, u.id)).toEqual(before)
    const events = (await messages(stack.aws.endpoint, stack.aws.queueName)).map(m => m.event)
    expect(events).toEqual(['restore.failed'])
    // The next request succeeds.
    expect((await restore(stack.app.baseURL, u, b.backup_id)).status).toBe(200)
    await conn.end()
  })

  it('A1: S3 failing → 500 STORAGE_ERROR, exactly one restore.storage_error through SNS, nothing changed', async () => {
    const u = await newUser(stack.app.baseURL, 'rs3')
    const conn = await connect(stack.databaseUrl)
    await seedLedger(conn, u.id, 20)
    const b = await backup(stack.app.baseURL, u)
    const before = await dumpUser(conn, u.id)
    await messages(stack.aws.endpoint, stack.aws.queueName)
    stack.aws.server.emptyBucket(stack.aws.bucket)
    await s3Client(stack.aws.endpoint).send(new DeleteBucketCommand({ Bucket: stack.aws.bucket }))
    const res = await restore(stack.app.baseURL, u, b.backup_id)
    expect(res.status).toBe(500)
    expect(res.body.data.code).toBe('STORAGE_ERROR')
    const msgs = await messages(stack.aws.endpoint, stack.aws.queueName)
    expect(msgs.map(m => m.event)).toEqual(['restore.storage_error'])
    expect(msgs[0]!.body).toMatchObject({ backupId: b.backup_id, userId: u.id, operation: 'download' })
    expect(await dumpUser(conn, u.id)).toEqual(before)
    stack.aws.server.createBucket(stack.aws.bucket)
    await conn.end()
  })

  it('a safety backup that cannot be made stops the restore: 500 with its code, nothing changed', async () => {
    const u = await newUser(stack.app.baseURL, 'rsafe')
    const conn = await connect(stack.databaseUrl)
    await seedLedger(conn, u.id, 150_000)
    const b = await backup(stack.app.baseURL, u)
    await conn.query('DELETE FROM transactions WHERE user_id = ? AND id % 2 = 0', [u.id])
    const before = await dumpUser(conn, u.id)
    const pending = restore(stack.app.baseURL, u, b.backup_id)
    expect(await waitForStatement(conn, databaseName(stack.databaseUrl), 'SELECT %FROM `transactions`%', { kill: true })).toBe(true)
    const res = await pending
    expect(res.status).toBe(500)
    expect(res.body.data.code).toBe('DATABASE_ERROR')
    expect(await dumpUser(conn, u.id)).toEqual(before)
    const [rows] = await conn.query<any[]>('SELECT status FROM backups WHERE user_id = ? AND kind = \'pre-restore\'', [u.id])
    expect(rows.map(r => r.status)).toEqual(['failed'])
    await conn.end()
  })

  it('a missing object is 422 missing_object', async () => {
    const u = await newUser(stack.app.baseURL, 'rmiss')
    const b = await backup(stack.app.baseURL, u)
    stack.aws.server.emptyBucket(stack.aws.bucket)
    const res = await restore(stack.app.baseURL, u, b.backup_id)
    expect(res.status).toBe(422)
    expect(res.body.data.reason).toBe('missing_object')
  })
})
