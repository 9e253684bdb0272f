// An S3 that is slow but working can finish a request after its client gave up: the PutObject of a
// backup, held past the call deadline, makes the object after the backup's row ended `failed` and
// after that failure's cleanup ran — or after the row was deleted. The sweep (services/backups.ts
// sweepLeftovers) removes it, and from a completed backup that took more than one attempt every
// attempt's object but its own.
import { CopyObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dropDatabase } from '../../scripts/lib/database.mjs'
import { RESPOND_ASYNC } from '../../shared/prefer'
import { localAwsEnv, startLocalAws } from '../../scripts/lib/local-aws.mjs'
import { http, newUser } from '../support/api'
import { connect } from '../support/data'
import { objectKeysOf, s3Client } from '../support/mutate'
import { startS3HttpProxy, type S3HttpProxy } from '../support/s3-http-proxy'
import { appEnv, createTestDatabase, startApp, type AppProcess, type LocalAws } from '../support/stack'
import { until } from '../support/until'

let db: string
let aws: LocalAws
let proxy: S3HttpProxy
let app: AppProcess
// The call deadline (NUXT_S3_REQUEST_TIMEOUT_MS) is the default, 30 s. Only the sweep's delay is
// shortened (300 s → 10 s) so the test need not wait five minutes: it makes the sweep come sooner,
// which cannot hide a leftover (the test fails if it stays), and the completed backup below shows
// a sooner sweep still leaves what must stay. A held creation reaches S3 LATE_MS after it was
// sent: after its deadline, well before the shortened sweep is due.
const SWEEP_AFTER_SECONDS = 10
const DEADLINE_MS = 30_000
const LATE_MS = DEADLINE_MS + 4_000

beforeAll(async () => {
  db = await createTestDatabase()
  aws = await startLocalAws({ port: 0 })
  proxy = await startS3HttpProxy(aws.endpoint)
  app = await startApp(appEnv(db, aws, { ...localAwsEnv(aws), NUXT_S3_ENDPOINT: proxy.url, NUXT_SNS_ENDPOINT: aws.endpoint, NUXT_BACKUPS_SWEEP_AFTER_SECONDS: String(SWEEP_AFTER_SECONDS) }))
}, 60_000)
afterAll(async () => {
  await app?.stop()
  await proxy?.close()
  await aws?.stop()
  if (db) await dropDatabase(db)
})

const objectsOf = (userId: number) => objectKeysOf(aws.endpoint, aws.bucket, userId)

describe('objects a slow S3 makes late: after their backup ended, or beside another attempt\'s', () => {
  it('is removed by the sweep; a completed backup\'s object stays', async () => {
    const u = await newUser(app.baseURL, 'late')
    const kept = await http(app.baseURL, 'POST', '/api/backup', { token: u.accessToken })
    expect(kept.status).toBe(201)

    // The PutObject reaches S3 4 s after the deadline: the backup has failed by then, its cleanup done.
    proxy.rule = { kind: 'hold-creation', ms: LATE_MS }
    const t0 = Date.now()
    const started = await http(app.baseURL, 'POST', '/api/backup', { token: u.accessToken })
    // Answered 500 if it fails within the request's wait, else 202 and the job fails on its own.
    expect([500, 202]).toContain(started.status)
    const conn = await connect(db)
    const row = await until(async () => (await conn.query<any[]>('SELECT id, status, error_code FROM backups WHERE user_id = ? AND id <> ?', [u.id, kept.body.backup_id]))[0][0], r => r && r.status !== 'running' && r.status !== 'queued', 2 * DEADLINE_MS)
    await conn.end()
    proxy.rule = { kind: 'pass' }
    expect(row).toMatchObject({ status: 'failed', error_code: 'STORAGE_ERROR' })

    // S3 made the object after all (the held request answered 200), after the row had failed …
    await until(async () => proxy.lateCreations.length, n => n > 0, DEADLINE_MS)
    expect(proxy.lateCreations.length).toBeGreaterThan(0)
    expect(proxy.lateCreations.every(s => s === 200)).toBe(true)
    const late = (await objectsOf(u.id)).find(key => key.includes(row.id))
    expect(late).toBeDefined()
    // … and the sweep removes it, SWEEP_AFTER_SECONDS after the row ended (plus one sweep period).
    const keys = await until(() => objectsOf(u.id), k => !k.includes(late!), 45_000)
    expect(keys).not.toContain(late)
    console.log(`late object removed ${((Date.now() - t0) / 1000).toFixed(1)} s after the backup started`)
    const check = await connect(db)
    // (The sweep removes the object, then marks the row: polled, not read once.)
    const [[swept]] = await until(() => check.query<any[]>('SELECT swept_at IS NOT NULL AS swept FROM backups WHERE id = ?', [row.id]), ([[r]]) => r.swept === 1, 10_000)
    await check.end()
    expect(swept).toEqual({ swept: 1 })
    // The completed backup's object was visited by no sweep.
    const keptKey = keys.find(k => k.includes(kept.body.backup_id))
    expect(keptKey).toBeDefined()
    const head = await s3Client(aws.endpoint).send(new HeadObjectCommand({ Bucket: aws.bucket, Key: keptKey! }))
    expect(head.ContentLength).toBe(kept.body.size_bytes)
  }, 120_000)

  it('a completed backup that took two attempts keeps only its own attempt\'s object', async () => {
    // As a frozen first attempt leaves it when S3 finishes its upload late: the row completed by
    // attempt 2 (its object at <id>.a2.jsonl.gz), attempt 1's object beside it.
    const u = await newUser(app.baseURL, 'attempts')
    const b = await http(app.baseURL, 'POST', '/api/backup', { token: u.accessToken })
    expect(b.status).toBe(201)
    const first = `users/${u.id}/backups/${b.body.backup_id}.jsonl.gz`
    const second = `users/${u.id}/backups/${b.body.backup_id}.a2.jsonl.gz`
    await s3Client(aws.endpoint).send(new CopyObjectCommand({ Bucket: aws.bucket, Key: second, CopySource: `${aws.bucket}/${first}` }))
    const conn = await connect(db)
    // (As attempt 2's completion writes it: not swept yet. A first attempt's completion is marked swept.)
    const [[completedOnce]] = await conn.query<any[]>('SELECT swept_at IS NOT NULL AS swept FROM backups WHERE id = ?', [b.body.backup_id])
    expect(completedOnce).toEqual({ swept: 1 })
    await conn.query('UPDATE backups SET attempts = 2, object_attempt = 2, url = ?, swept_at = NULL WHERE id = ?', [`s3://${aws.bucket}/${second}`, b.body.backup_id])
    const keys = await until(() => objectsOf(u.id), k => !k.includes(first), 45_000)
    expect(keys).toEqual([second])
    const [[row]] = await until(() => conn.query<any[]>('SELECT status, swept_at IS NOT NULL AS swept FROM backups WHERE id = ?', [b.body.backup_id]), ([[r]]) => r.swept === 1, 10_000)
    await conn.end()
    expect(row).toEqual({ status: 'completed', swept: 1 })
    // The backup still serves its download (the key its row records).
    const link = await http(app.baseURL, 'GET', `/api/backups/${b.body.backup_id}/download`, { token: u.accessToken })
    expect(link.status).toBe(200)
    expect(new URL(link.body.urlDownload).pathname).toContain(`${b.body.backup_id}.a2.jsonl.gz`)
  }, 60_000)

  it('a failed backup deleted before S3 finished its upload: the object S3 makes after the row is gone is swept', async () => {
    const u = await newUser(app.baseURL, 'deleted-late')
    const lateBefore = proxy.lateCreations.length
    proxy.rule = { kind: 'hold-creation', ms: LATE_MS }
    const started = await http(app.baseURL, 'POST', '/api/backup', { token: u.accessToken })
    expect([500, 202]).toContain(started.status)
    const conn = await connect(db)
    const row = await until(async () => (await conn.query<any[]>('SELECT id, status FROM backups WHERE user_id = ?', [u.id]))[0][0], r => r && r.status !== 'running' && r.status !== 'queued', 2 * DEADLINE_MS)
    proxy.rule = { kind: 'pass' }
    expect(row.status).toBe('failed')
    // The user deletes the failed backup while S3 still holds its upload (on 2d4915d nothing
    // would ever remove the object S3 then makes: the sweep found objects through their rows).
    expect((await http(app.baseURL, 'DELETE', `/api/backups/${row.id}`, { token: u.accessToken })).status).toBe(204)
    await until(async () => proxy.lateCreations.length, n => n > lateBefore, DEADLINE_MS)
    expect(proxy.lateCreations.slice(lateBefore)).toEqual([200])
    expect(await objectsOf(u.id)).toEqual([`users/${u.id}/backups/${row.id}.jsonl.gz`])
    expect(await until(() => objectsOf(u.id), k => k.length === 0, 45_000)).toEqual([])
    const [left] = await until(() => conn.query<any[]>('SELECT 1 FROM deleted_backup_keys WHERE backup_id = ?', [row.id]), ([l]) => l.length === 0, 10_000)
    await conn.end()
    expect(left).toEqual([])
  }, 120_000)

  it('a restore cancelled while S3 holds its safety backup\'s upload: the object S3 makes after the safety backup\'s row is gone is swept', async () => {
    const u = await newUser(app.baseURL, 'cancelled-late')
    const kept = await http(app.baseURL, 'POST', '/api/backup', { token: u.accessToken })
    expect(kept.status).toBe(201)
    const lateBefore = proxy.lateCreations.length
    let held = 0
    proxy.onCreation = () => { held++ }
    proxy.rule = { kind: 'hold-creation', ms: LATE_MS }
    try {
      const r = await http(app.baseURL, 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: kept.body.backup_id }, headers: { ...RESPOND_ASYNC } })
      expect(r.status).toBe(202)
      // The safety backup's PutObject has reached S3's side (and is held there): the user cancels.
      await until(async () => held, n => n > 0, 30_000)
      const cancel = await http(app.baseURL, 'POST', `/api/restores/${r.body.restore_id}/cancel`, { token: u.accessToken })
      expect(cancel.status).toBe(200)
      const job = await until(async () => (await http(app.baseURL, 'GET', `/api/restores/${r.body.restore_id}`, { token: u.accessToken })).body, b => b.status !== 'queued' && b.status !== 'running', 60_000)
      expect(job.status).toBe('cancelled')
    }
    finally {
      proxy.onCreation = undefined
      proxy.rule = { kind: 'pass' }
    }
    const conn = await connect(db)
    const [rows] = await conn.query<any[]>('SELECT id FROM backups WHERE user_id = ?', [u.id])
    expect(rows.map(b => b.id)).toEqual([kept.body.backup_id])
    const keptKey = `users/${u.id}/backups/${kept.body.backup_id}.jsonl.gz`
    // S3 makes the safety backup's object after its row was removed (on 2d4915d it stayed for good)…
    await until(async () => proxy.lateCreations.length, n => n > lateBefore, 2 * DEADLINE_MS)
    expect(proxy.lateCreations.slice(lateBefore)).toEqual([200])
    expect((await objectsOf(u.id)).filter(k => k !== keptKey)).toHaveLength(1)
    // … and the sweep removes it; the restored backup's object stays.
    expect(await until(() => objectsOf(u.id), k => k.length === 1, 45_000)).toEqual([keptKey])
    const [left] = await until(() => conn.query<any[]>('SELECT 1 FROM deleted_backup_keys WHERE user_id = ?', [u.id]), ([l]) => l.length === 0, 10_000)
    await conn.end()
    expect(left).toEqual([])
  }, 150_000)
})
