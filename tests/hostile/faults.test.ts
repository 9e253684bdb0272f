// Network faults between the app and S3 (a real TCP proxy in front of fauxqs), with SNS reached
// directly so each storage failure's notification can be counted: exactly one per failure, and
// the next request after every fault succeeds.
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { dropDatabase } from '../../scripts/lib/database.mjs'
import { localAwsEnv, startLocalAws } from '../../scripts/lib/local-aws.mjs'
import { http, newUser, type ApiResponse, type TestUser } from '../support/api'
import { connect, dumpUser, seedLedger } from '../support/data'
import { s3Client } from '../support/mutate'
import { appEnv, createTestDatabase, startApp, type AppProcess, type LocalAws } from '../support/stack'
import { drainNotifications } from '../support/sqs'
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy'

let db: string
let aws: LocalAws
let proxy: TcpProxy
let app: AppProcess
let user: TestUser
const injected: string[] = []

const drain = () => drainNotifications(aws.endpoint, aws.queueName)

const backup = () => http(app.baseURL, 'POST', '/api/backup', { token: user.accessToken })
const restore = (id: string) => http(app.baseURL, 'POST', '/api/restore', { token: user.accessToken, body: { backup_id: id } })

async function expectStorageFailure(res: Awaited<ReturnType<typeof backup>>, event: string, fault: string) {
  expect(res.status, fault).toBe(500)
  expect(res.body.data.code, fault).toBe('STORAGE_ERROR')
  const msgs = await drain()
  expect(msgs.map(m => m.event), fault).toEqual([event])
  injected.push(fault)
}

describe('hostile: S3 faults through a TCP proxy', () => {
  beforeAll(async () => {
    db = await createTestDatabase()
    aws = await startLocalAws({ port: 0 })
    proxy = await startTcpProxy(aws.port)
    // S3 goes through the proxy with a short timeout; SNS goes straight to fauxqs. One user meets
    // every fault in turn, so the per-user backup and restore rate limits are raised: what is under
    // test here is each fault's answer, not admission. That hides nothing: the limits are tested at
    // their defaults (backup-limits.test.ts), and the block below ("a stalled S3 with the default
    // timeout") runs the same kind of faults with every default, limits and timeouts included.
    app = await startApp(appEnv(db, aws, { ...localAwsEnv(aws), NUXT_S3_ENDPOINT: proxy.url, NUXT_SNS_ENDPOINT: aws.endpoint, NUXT_S3_REQUEST_TIMEOUT_MS: '1500', NUXT_S3_PART_SIZE_MB: '5', NUXT_BACKUPS_RATE_LIMIT: '1000', NUXT_RESTORES_RATE_LIMIT: '1000' }))
    user = await newUser(app.baseURL, 'faults')
    const conn = await connect(db)
    await seedLedger(conn, user.id, 30_000)
    await conn.end()
    await drain()
  })
  afterAll(async () => {
    console.log(`hostile faults: ${injected.length} injected and survived: ${injected.join('; ')}`)
    await app?.stop()
    await proxy?.close()
    await aws?.stop()
    if (db) await dropDatabase(db)
  })

  it('S3 unreachable (connections refused): backup and restore → 500 + one SNS message each; then recover', async () => {
    const good = await backup()
    expect(good.status).toBe(201)
    proxy.setMode({ kind: 'refuse' })
    await expectStorageFailure(await backup(), 'backup.storage_error', 'S3 refused during backup')
    await expectStorageFailure(await restore(good.body.backup_id), 'restore.storage_error', 'S3 refused during restore')
    proxy.setMode({ kind: 'pass' })
    expect((await backup()).status).toBe(201)
  })

  it('S3 slow beyond the client timeout → 500 + one SNS message, in bounded time; then recover', async () => {
    proxy.setMode({ kind: 'stall', ms: 20_000 })
    const started = Date.now()
    await expectStorageFailure(await backup(), 'backup.storage_error', 'S3 stalled during backup')
    expect(Date.now() - started).toBeLessThan(15_000)
    proxy.setMode({ kind: 'pass' })
    expect((await backup()).status).toBe(201)
  })

  it('S3 connection cut mid-upload → 500 + one SNS message, row failed, no object; then recover', async () => {
    proxy.setMode({ kind: 'cut-after', bytes: 256 * 1024 })
    const res = await backup()
    await expectStorageFailure(res, 'backup.storage_error', 'S3 cut mid-upload')
    proxy.setMode({ kind: 'pass' })
    const list = (await http(app.baseURL, 'GET', '/api/backups?limit=100', { token: user.accessToken })).body.items
    const failed = list.filter((b: any) => b.status === 'failed')
    expect(failed.length).toBeGreaterThan(0)
    for (const f of failed) {
      const objs = await s3Client(aws.endpoint).send(new ListObjectsV2Command({ Bucket: aws.bucket, Prefix: `users/${user.id}/backups/${f.backup_id}` }))
      expect(objs.KeyCount ?? 0).toBe(0)
    }
    expect((await backup()).status).toBe(201)
  })

  it('S3 stalling during a restore download → 500 + one SNS message, data unchanged; then recover', async () => {
    const good = await backup()
    const conn = await connect(db)
    const before = await dumpUser(conn, user.id)
    proxy.setMode({ kind: 'stall', ms: 20_000 })
    await expectStorageFailure(await restore(good.body.backup_id), 'restore.storage_error', 'S3 stalled during restore download')
    expect(await dumpUser(conn, user.id)).toEqual(before)
    proxy.setMode({ kind: 'pass' })
    expect((await restore(good.body.backup_id)).status).toBe(200)
    await conn.end()
  })

  it('S3 and SNS both unreachable → 500 STORAGE_ERROR, the SNS failure is logged; then recover', async () => {
    proxy.setMode({ kind: 'refuse' })
    const sns = app
    await app.stop()
    app = await startApp(appEnv(db, aws, { ...localAwsEnv(aws), NUXT_S3_ENDPOINT: proxy.url, NUXT_SNS_ENDPOINT: 'http://127.0.0.1:1', NUXT_S3_REQUEST_TIMEOUT_MS: '1500' }))
    void sns
    const login = await http(app.baseURL, 'POST', '/api/auth/login', { body: { email: user.email, password: user.password } })
    user.accessToken = login.body.token.accessToken
    const res = await backup()
    expect(res.status).toBe(500)
    expect(res.body.data.code).toBe('STORAGE_ERROR')
    expect(app.logs()).toMatch(/SNS publish failed/)
    injected.push('S3 and SNS both unreachable')
    proxy.setMode({ kind: 'pass' })
    expect((await backup()).status).toBe(201)
  })
})

// The same faults with the DEFAULT configuration (NUXT_S3_REQUEST_TIMEOUT_MS = 30 s, 8 MiB parts),
// as an operator deploys it: what a user waits for a stalled S3 is the configured timeout (plus at
// most the bounded multipart abort and a little overhead), not the sum of retries and aborts; the
// job lock and the connections are freed with the answer, so the next job starts at once.
describe('hostile: a stalled S3 with the default timeout', () => {
  const TIMEOUT_MS = 30_000 // the documented default (README, .env.example); nothing overrides it below
  const MARGIN_MS = 8_000 // the multipart abort's 5 s budget plus overhead
  let db2: string
  let aws2: LocalAws
  let proxy2: TcpProxy
  let app2: AppProcess
  let u: TestUser
  let small: TestUser
  const drain2 = () => drainNotifications(aws2.endpoint, aws2.queueName)
  const timed = async <T>(p: Promise<T>) => { const t0 = Date.now(); const r = await p; return { r, ms: Date.now() - t0 } }
  const healthy = async () => (await http(app2.baseURL, 'GET', '/api/health')).status

  beforeAll(async () => {
    db2 = await createTestDatabase()
    aws2 = await startLocalAws({ port: 0 })
    proxy2 = await startTcpProxy(aws2.port)
    app2 = await startApp(appEnv(db2, aws2, { ...localAwsEnv(aws2), NUXT_S3_ENDPOINT: proxy2.url, NUXT_SNS_ENDPOINT: aws2.endpoint }))
    expect(app2.logs()).not.toMatch(/NUXT_S3_REQUEST_TIMEOUT_MS/)
    u = await newUser(app2.baseURL, 'stall30')
    const conn = await connect(db2)
    // Large enough for a multipart upload at the default 8 MiB part size, and for S3 to go silent
    // after 9 MiB of it: this ledger compresses to ≈ 11 bytes a row with zstd (format 2).
    await seedLedger(conn, u.id, 1_000_000)
    small = await newUser(app2.baseURL, 'stall30-small')
    await seedLedger(conn, small.id, 2_000)
    await conn.end()
    await drain2()
  })
  // A test that fails with S3 still stalled must not leave the next test behind a silent proxy.
  afterEach(() => proxy2?.setMode({ kind: 'pass' }))
  afterAll(async () => {
    await app2?.stop()
    await proxy2?.close()
    await aws2?.stop()
    if (db2) await dropDatabase(db2)
  })

  /** A job's final state: the 201/200 body, or (after a 202) its row followed through Location until it ends. */
  async function finished(r: ApiResponse, token: string): Promise<any> {
    if (r.status !== 202) return { ...r.body, status: r.status === 201 || r.status === 200 ? 'completed' : `HTTP ${r.status}` }
    for (;;) {
      const job = (await http(app2.baseURL, 'GET', r.headers.get('location')!, { token })).body
      if (job.status !== 'queued' && job.status !== 'running') return job
      await new Promise(res => setTimeout(res, 200))
    }
  }

  /**
   * The job fails with STORAGE_ERROR (one SNS message, `notified`), and it ends within the timeout
   * (+ margin) of S3 going silent. The request waits for its job 10 s (the default budget), less
   * than the 30 s timeout: it answers 202, and the job's row (followed through Location) says how
   * and when it ended — the same A1 as an inline 500.
   */
  async function expectBoundedFailure(req: () => Promise<ApiResponse>, token: string, event: string, fault: string) {
    const { r, ms } = await timed(req())
    let code: string
    let endedAt: number
    if (r.status === 202) {
      const job = await finished(r, token)
      expect(job.status, fault).toBe('failed')
      expect(job.error_detail, fault).toEqual({ notified: true })
      code = job.error_code
      endedAt = Date.parse(job.completed_at)
    }
    else {
      expect(r.status, fault).toBe(500)
      code = r.body.data.code
      endedAt = Date.now()
    }
    const silentMs = endedAt - proxy2.silentSince!
    console.log(`hostile faults (default timeout): ${fault} → ${r.status}, job ended ${code} ${(silentMs / 1000).toFixed(1)} s after S3 went silent (request answered after ${(ms / 1000).toFixed(1)} s)`)
    expect(code, fault).toBe('STORAGE_ERROR')
    expect(silentMs, fault).toBeLessThan(TIMEOUT_MS + MARGIN_MS)
    expect((await drain2()).map(m => m.event), fault).toEqual([event])
    injected.push(`${fault} (default timeout, job ended ${(silentMs / 1000).toFixed(1)} s after S3 went silent)`)
  }

  it('S3 silent from the first byte during a backup → the job fails (STORAGE_ERROR) within the timeout; the next backup starts at once', async () => {
    proxy2.setMode({ kind: 'stall', ms: 600_000 })
    await expectBoundedFailure(() => http(app2.baseURL, 'POST', '/api/backup', { token: u.accessToken }), u.accessToken, 'backup.storage_error', 'S3 silent during backup')
    proxy2.setMode({ kind: 'pass' })
    expect(await healthy()).toBe(200)
    const next = await finished(await http(app2.baseURL, 'POST', '/api/backup', { token: u.accessToken }), u.accessToken)
    expect(next.status).toBe('completed')
    expect(next.size_bytes).toBeGreaterThan(8 * 1024 * 1024) // multipart at the default part size
  })

  it('S3 going silent mid-upload (parts, retries and the multipart abort all hang) → the job fails within the timeout', async () => {
    proxy2.setMode({ kind: 'stall-after', bytes: 9 * 1024 * 1024 })
    await expectBoundedFailure(() => http(app2.baseURL, 'POST', '/api/backup', { token: u.accessToken }), u.accessToken, 'backup.storage_error', 'S3 silent mid-upload')
    proxy2.setMode({ kind: 'pass' })
    expect(await healthy()).toBe(200)
    expect((await finished(await http(app2.baseURL, 'POST', '/api/backup', { token: u.accessToken }), u.accessToken)).status).toBe('completed')
  })

  it('a cancel while S3 is silent mid-upload → the job ends cancelled within the bounded cleanup, not after the timeout; nothing is left; the next backup runs', async () => {
    proxy2.setMode({ kind: 'stall-after', bytes: 9 * 1024 * 1024 })
    const r = await http(app2.baseURL, 'POST', '/api/backup', { token: u.accessToken })
    expect(r.status).toBe(202) // S3 went silent within the request's 10 s budget
    const id = r.body.backup_id as string
    while (proxy2.silentSince === undefined) await new Promise(res => setTimeout(res, 100))
    // The upload is stuck on a silent socket (part deadline 30 s): a cancel must not wait for it,
    // nor for cleanup calls against the same silent S3.
    const askedAt = Date.now()
    const cancel = await http(app2.baseURL, 'POST', `/api/backups/${id}/cancel`, { token: u.accessToken })
    const job = await finished(r, u.accessToken)
    const endedMs = Date.parse(job.completed_at) - askedAt
    console.log(`hostile faults (default timeout): cancel while S3 silent mid-upload → ${cancel.status}, job ${job.status} ${(endedMs / 1000).toFixed(1)} s after the cancel`)
    expect(job.status).toBe('cancelled')
    // The heartbeat notices a cancel within 1 s; the upload's requests stop at once; removing what
    // is left, before the row says cancelled, gets the 5 s abort budget against the silent S3. 2 s of margin.
    expect(endedMs).toBeLessThan(1_000 + 5_000 + 2_000)
    expect(cancel.status).toBe(200)
    expect((await drain2()).map(m => m.event)).toEqual([]) // a cancel is the user's choice, not an incident
    proxy2.setMode({ kind: 'pass' })
    // No object (the upload never completed; its parts are the bucket lifecycle rule's, S3 being silent).
    const objs = await s3Client(aws2.endpoint).send(new ListObjectsV2Command({ Bucket: aws2.bucket, Prefix: `users/${u.id}/backups/${id}` }))
    expect(objs.KeyCount ?? 0).toBe(0)
    expect((await finished(await http(app2.baseURL, 'POST', '/api/backup', { token: u.accessToken }), u.accessToken)).status).toBe('completed')
  })

  it('S3 going silent mid-download during a restore → the job fails within the timeout, data unchanged; the next restore runs', async () => {
    const good = await http(app2.baseURL, 'POST', '/api/backup', { token: small.accessToken })
    expect(good.status).toBe(201)
    await drain2()
    const conn = await connect(db2)
    const [[before]] = await conn.query<any[]>('SELECT COUNT(*) AS n, SUM(amount) AS total FROM transactions WHERE user_id = ?', [small.id])
    // Request and response headers pass, then part of the body, then nothing.
    proxy2.setMode({ kind: 'stall-after', bytes: 4096 })
    await expectBoundedFailure(() => http(app2.baseURL, 'POST', '/api/restore', { token: small.accessToken, body: { backup_id: good.body.backup_id } }), small.accessToken, 'restore.storage_error', 'S3 silent during restore download')
    const [[after]] = await conn.query<any[]>('SELECT COUNT(*) AS n, SUM(amount) AS total FROM transactions WHERE user_id = ?', [small.id])
    expect(after).toEqual(before)
    await conn.end()
    proxy2.setMode({ kind: 'pass' })
    expect(await healthy()).toBe(200)
    expect((await http(app2.baseURL, 'POST', '/api/restore', { token: small.accessToken, body: { backup_id: good.body.backup_id } })).status).toBe(200)
  })

  it('a cancel while S3 is silent mid-download during a restore → the restore ends cancelled at once, data unchanged', async () => {
    const good = await http(app2.baseURL, 'POST', '/api/backup', { token: small.accessToken })
    expect(good.status).toBe(201)
    const conn = await connect(db2)
    const before = await dumpUser(conn, small.id)
    proxy2.setMode({ kind: 'stall-after', bytes: 4096 })
    const r = await http(app2.baseURL, 'POST', '/api/restore', { token: small.accessToken, body: { backup_id: good.body.backup_id } })
    expect(r.status).toBe(202) // the download went silent within the request's 10 s budget
    const askedAt = Date.now()
    const cancel = await http(app2.baseURL, 'POST', `/api/restores/${r.body.restore_id}/cancel`, { token: small.accessToken })
    const job = await finished(r, small.accessToken)
    const endedMs = Date.parse(job.completed_at) - askedAt
    console.log(`hostile faults (default timeout): cancel while S3 silent mid-download → ${cancel.status}, restore ${job.status} ${(endedMs / 1000).toFixed(1)} s after the cancel`)
    expect(job.status).toBe('cancelled')
    // The heartbeat notices a cancel within 1 s; nothing else waits (the download's 30 s silence bound does not apply to a cancel).
    expect(endedMs).toBeLessThan(1_000 + 2_000)
    expect(await dumpUser(conn, small.id)).toEqual(before)
    await conn.end()
    expect((await drain2()).map(m => m.event)).toEqual([])
  })
})
