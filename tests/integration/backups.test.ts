import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ListObjectsV2Command, S3Client, DeleteBucketCommand } from '@aws-sdk/client-s3'
import { http, newUser, type TestUser } from '../support/api'
import { connect, databaseName, dumpUser, gunzipLines, seedLedger, waitForStatement } from '../support/data'
import { drainNotifications as receiveAll } from '../support/sqs'
import { jobLockName } from '../../server/services/job-lock'
import { startStack, type Stack } from '../support/stack'

const base = () => inject('stack').baseURL
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

function s3For(endpoint: string) {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
}
async function download(url: string) {
  const res = await fetch(url)
  return { status: res.status, disposition: res.headers.get('content-disposition'), bytes: Buffer.from(await res.arrayBuffer()) }
}

describe('POST /api/backup', () => {
  let user: TestUser
  beforeAll(async () => {
    user = await newUser(base(), 'bk')
    const conn = await connect(inject('stack').databaseUrl)
    await seedLedger(conn, user.id, 120)
    await conn.end()
  })

  it('streams every table to S3 and round-trips every column type exactly', async () => {
    const res = await http(base(), 'POST', '/api/backup', { token: user.accessToken })
    expect(res.status).toBe(201)
    const b = res.body
    expect(b).toMatchObject({ status: 'completed', kind: 'manual', format_version: 2, row_counts: { accounts: 2, categories: 2, transactions: 120, preferences: 1 } })
    expect(b.backup_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(new Date(b.expiresAt).getTime()).toBeGreaterThan(Date.now())

    const file = await download(b.urlDownload)
    expect(file.status).toBe(200)
    // S3 serves the Content-Disposition named in the signed URL (fauxqs ignores it, so read the URL).
    const disposition = new URL(b.urlDownload).searchParams.get('response-content-disposition')
    expect(disposition).toMatch(/^attachment; filename="cofre-backup-\d{4}-\d{2}-\d{2}_[\d-]+\.jsonl\.zst"$/)
    expect(disposition).toContain(b.filename)
    expect(file.bytes.length).toBe(b.size_bytes)
    expect(sha256(file.bytes)).toBe(b.sha256)

    const lines = await gunzipLines(file.bytes)
    const header = lines[0]
    const trailer = lines.at(-1)
    expect(header).toMatchObject({ type: 'header', format: 'cofre-backup', version: 2, userId: user.id, backupId: b.backup_id })
    expect(trailer.type).toBe('trailer')
    expect(trailer.rowCounts).toEqual(b.row_counts)
    expect(trailer.digest).toMatch(/^sha256:[0-9a-f]{64}$/)

    const conn = await connect(inject('stack').databaseUrl)
    const db = await dumpUser(conn, user.id)
    await conn.end()
    const fromFile: Record<string, unknown[]> = {}
    for (const t of header.tables) fromFile[t.name] = lines.filter(l => l.t === t.name).map(l => Object.fromEntries(t.columns.map((c: { name: string }, i: number) => [c.name, l.r[i]])))
    expect(fromFile).toEqual(db)
    // Spot-check the hard values survived byte for byte.
    expect(fromFile.accounts![0]).toMatchObject({ opening_balance: '-1234567890.12', name: 'Conta Corrente Ação 🏦' })
    expect(fromFile.transactions!.some((t: any) => t.notes === null)).toBe(true)
    expect(JSON.stringify(lines)).not.toContain('"user_id"')
  })

  it('lists newest first, gets, issues fresh links and deletes — only for the owner', async () => {
    const first = (await http(base(), 'POST', '/api/backup', { token: user.accessToken })).body
    const second = (await http(base(), 'POST', '/api/backup', { token: user.accessToken })).body
    const list = await http(base(), 'GET', '/api/backups', { token: user.accessToken })
    expect(list.status).toBe(200)
    const ids = list.body.items.map((b: any) => b.backup_id)
    expect(ids.indexOf(second.backup_id)).toBeLessThan(ids.indexOf(first.backup_id))
    expect(list.body.items[0].urlDownload).toBeUndefined()

    const other = await newUser(base(), 'bk-other')
    expect((await http(base(), 'GET', '/api/backups', { token: other.accessToken })).body).toEqual({ items: [], next_cursor: null })
    for (const [method, path] of [['GET', `/api/backups/${first.backup_id}`], ['GET', `/api/backups/${first.backup_id}/download`], ['DELETE', `/api/backups/${first.backup_id}`]] as const) {
      const r = await http(base(), method, path, { token: other.accessToken })
      expect(r.status, `${method} ${path}`).toBe(404)
      expect(JSON.stringify(r.body)).not.toContain('X-Amz')
    }

    const link = await http(base(), 'GET', `/api/backups/${first.backup_id}/download`, { token: user.accessToken })
    expect(link.status).toBe(200)
    expect(new URL(link.body.urlDownload).searchParams.get('X-Amz-Expires')).toBe('300')
    expect(sha256((await download(link.body.urlDownload)).bytes)).toBe(first.sha256)

    const del = await http(base(), 'DELETE', `/api/backups/${first.backup_id}`, { token: user.accessToken })
    expect(del.status).toBe(204)
    expect((await http(base(), 'GET', `/api/backups/${first.backup_id}`, { token: user.accessToken })).status).toBe(404)
    const objects = await s3For(inject('stack').s3Endpoint).send(new ListObjectsV2Command({ Bucket: inject('stack').bucket, Prefix: `users/${user.id}/backups/${first.backup_id}` }))
    expect(objects.KeyCount ?? 0).toBe(0)
    expect((await http(base(), 'GET', '/api/backups/not-a-uuid', { token: user.accessToken })).status).toBe(422)
  })

  it('one job per user: a second request while one is queued or running is 409; a job whose lock is held elsewhere waits in the queue', async () => {
    const u = await newUser(base(), 'lock')
    const conn = await connect(inject('stack').databaseUrl)
    const lock = jobLockName(databaseName(inject('stack').databaseUrl), u.id)
    // Another instance's job holds the user's lock: this one is queued and delivered again later.
    const [[got]] = await conn.query<any[]>('SELECT GET_LOCK(?, 0) AS got', [lock])
    expect(got.got).toBe(1)
    const started = Date.now()
    const res = await http(base(), 'POST', '/api/backup', { token: u.accessToken })
    // The wait budget (10 s by default) passed with the job still queued: 202 and where to follow it.
    expect(res.status).toBe(202)
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_000)
    expect(res.body).toMatchObject({ status: 'queued', stage: 'queued' })
    expect(res.headers.get('location')).toBe(`/api/backups/${res.body.backup_id}`)
    const second = await http(base(), 'POST', '/api/backup', { token: u.accessToken })
    expect(second.status).toBe(409)
    expect(second.body.data.code).toBe('JOB_IN_PROGRESS')
    const restore = await http(base(), 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: res.body.backup_id } })
    expect(restore.status).toBe(409)
    await conn.query('SELECT RELEASE_LOCK(?)', [lock])
    await conn.end()
    // Released: the next delivery (30 s after the last one found the lock held) runs it.
    let job: any
    for (let i = 0; i < 300; i++) {
      job = (await http(base(), 'GET', res.headers.get('location')!, { token: u.accessToken })).body
      if (job.status !== 'queued' && job.status !== 'running') break
      await new Promise(r => setTimeout(r, 200))
    }
    expect(job).toMatchObject({ status: 'completed', stage: 'finished' })
    expect((await http(base(), 'POST', '/api/backup', { token: u.accessToken })).status).toBe(201)
  }, 120_000)

  it('keeps one consistent snapshot: a transfer committed during the export is all-or-nothing in the file', async () => {
    const u = await newUser(base(), 'snap')
    const conn = await connect(inject('stack').databaseUrl)
    const { accountIds } = await seedLedger(conn, u.id, 60_000)
    const [[before]] = await conn.query<any[]>('SELECT SUM(amount) AS s, COUNT(*) AS n FROM transactions WHERE user_id = ?', [u.id])
    const pending = http(base(), 'POST', '/api/backup', { token: u.accessToken })
    // Wait until the export is reading, then commit a "transfer" (two rows) and a new row.
    expect(await waitForStatement(conn, databaseName(inject('stack').databaseUrl), 'SELECT CONCAT(%FROM `transactions`%')).toBe(true)
    await conn.beginTransaction()
    await conn.query('UPDATE transactions SET amount = amount - 1000 WHERE user_id = ? ORDER BY id LIMIT 1', [u.id])
    await conn.query('UPDATE transactions SET amount = amount + 1000 WHERE user_id = ? ORDER BY id DESC LIMIT 1', [u.id])
    await conn.query('INSERT INTO transactions (user_id, account_id, amount, date, description) VALUES (?, ?, \'5.00\', \'2026-01-01\', \'late\')', [u.id, accountIds[0]])
    await conn.commit()
    const res = await pending
    await conn.end()
    expect(res.status).toBe(201)
    const lines = await gunzipLines((await download(res.body.urlDownload)).bytes)
    const txRows = lines.filter(l => l.t === 'transactions')
    expect(txRows.length).toBe(Number(before.n))
    const amountIdx = lines[0].tables.find((t: any) => t.name === 'transactions').columns.findIndex((c: any) => c.name === 'amount')
    const sumCents = txRows.reduce((s, l) => s + Math.round(Number(l.r[amountIdx]) * 100), 0)
    expect(sumCents).toBe(Math.round(Number(before.s) * 100))
  })
})

describe('backup failures', () => {
  let stack: Stack
  beforeAll(async () => { stack = await startStack({ NUXT_BACKUPS_RATE_LIMIT: '3' }) })
  afterAll(async () => { await stack?.stop() })

  it('rate limits manual backups per user with 429 and Retry-After', async () => {
    const u = await newUser(stack.app.baseURL, 'rate')
    for (let i = 0; i < 3; i++) expect((await http(stack.app.baseURL, 'POST', '/api/backup', { token: u.accessToken })).status).toBe(201)
    const res = await http(stack.app.baseURL, 'POST', '/api/backup', { token: u.accessToken })
    expect(res.status).toBe(429)
    expect(res.body.data.code).toBe('RATE_LIMITED')
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(3000)
  })

  it('A3: a MySQL connection killed mid-export → 500 DATABASE_ERROR, row failed, no object left', async () => {
    const u = await newUser(stack.app.baseURL, 'kill')
    const conn = await connect(stack.databaseUrl)
    await seedLedger(conn, u.id, 150_000)
    const pending = http(stack.app.baseURL, 'POST', '/api/backup', { token: u.accessToken })
    // The export's own read (it names its columns), not the count that sizes its progress bar.
    expect(await waitForStatement(conn, databaseName(stack.databaseUrl), 'SELECT CONCAT(%FROM `transactions`%', { kill: true })).toBe(true)
    const res = await pending
    expect(res.status).toBe(500)
    expect(res.body.data.code).toBe('DATABASE_ERROR')
    const [rows] = await conn.query<any[]>('SELECT status, error_code, id FROM backups WHERE user_id = ?', [u.id])
    await conn.end()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ status: 'failed', error_code: 'DATABASE_ERROR' })
    const objects = await s3For(stack.aws.endpoint).send(new ListObjectsV2Command({ Bucket: stack.aws.bucket, Prefix: `users/${u.id}/` }))
    expect(objects.KeyCount ?? 0).toBe(0)
    // The next request succeeds.
    expect((await http(stack.app.baseURL, 'POST', '/api/backup', { token: u.accessToken })).status).toBe(201)
  })

  it('A1: a missing bucket → 500 STORAGE_ERROR, row failed, exactly one SNS message with attributes', async () => {
    const u = await newUser(stack.app.baseURL, 's3')
    await receiveAll(stack.aws.endpoint, stack.aws.queueName) // drain
    stack.aws.server.emptyBucket(stack.aws.bucket)
    await s3For(stack.aws.endpoint).send(new DeleteBucketCommand({ Bucket: stack.aws.bucket }))
    const res = await http(stack.app.baseURL, 'POST', '/api/backup', { token: u.accessToken })
    expect(res.status).toBe(500)
    expect(res.body.data.code).toBe('STORAGE_ERROR')
    const messages = await receiveAll(stack.aws.endpoint, stack.aws.queueName)
    expect(messages).toHaveLength(1)
    expect(messages[0]!.attributes).toEqual({ event: 'backup.storage_error', severity: 'error' })
    expect(messages[0]!.body).toMatchObject({ event: 'backup.storage_error', userId: u.id, operation: 'upload' })
    expect(messages[0]!.body.backupId).toMatch(/^[0-9a-f-]{36}$/)
    expect(typeof messages[0]!.body.errorName).toBe('string')
    const list = await http(stack.app.baseURL, 'GET', '/api/backups', { token: u.accessToken })
    expect(list.body.items[0]).toMatchObject({ status: 'failed', error_code: 'STORAGE_ERROR' })
    stack.aws.server.createBucket(stack.aws.bucket)
    expect((await http(stack.app.baseURL, 'POST', '/api/backup', { token: u.accessToken })).status).toBe(201)
  })

  it('A1: fauxqs stopped → 500 STORAGE_ERROR (SNS down too: logged, the user still gets the 500)', async () => {
    const u = await newUser(stack.app.baseURL, 'down')
    await stack.aws.stop()
    const res = await http(stack.app.baseURL, 'POST', '/api/backup', { token: u.accessToken })
    expect(res.status).toBe(500)
    expect(res.body.data.code).toBe('STORAGE_ERROR')
    expect(stack.app.logs()).toMatch(/SNS publish failed/)
    expect(stack.app.logs()).not.toMatch(/X-Amz-Signature/)
  })
})
