// Backups and restores as queued jobs, across processes: one web process (NUXT_ROLE=web: pages,
// API, enqueues) and two workers (NUXT_ROLE=worker: run jobs, serve only /api/health), with a real
// MariaDB and a real SQS (fauxqs). Workers are killed outright (SIGKILL) mid-job; messages are
// delivered twice; jobs are cancelled; attempts are used up.
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dropDatabase } from '../../scripts/lib/database.mjs'
import { RESPOND_ASYNC } from '../../shared/prefer'
import { startLocalAws } from '../../scripts/lib/local-aws.mjs'
import { jobLockName } from '../../server/services/job-lock'
import { http, seededUser, type TestUser } from '../support/api'
import { until } from '../support/until'
import { connect, databaseName, dumpUser, seedLedger } from '../support/data'
import { objectKeysOf, s3Client } from '../support/mutate'
import { drainNotifications } from '../support/sqs'
import { appEnv, createTestDatabase, startApp, type AppProcess, type LocalAws } from '../support/stack'

// A dead worker's job comes back after the visibility timeout. Shortened here (60 s → 8 s,
// heartbeat 15 s → 2 s) so a redelivery fits in a test: a live job must then keep its message
// invisible with a 4x tighter heartbeat, which is stricter, not looser.
const QUICK_REDELIVERY = { NUXT_QUEUE_VISIBILITY_TIMEOUT_SECONDS: '8', NUXT_QUEUE_HEARTBEAT_SECONDS: '2' }

let databaseUrl: string
let aws: LocalAws
let web: AppProcess
const workers: AppProcess[] = []
let env: Record<string, string>
const startWorker = async () => {
  const w = await startApp({ ...env, NUXT_ROLE: 'worker' })
  workers.push(w)
  return w
}
const base = () => web.baseURL

beforeAll(async () => {
  databaseUrl = await createTestDatabase()
  aws = await startLocalAws({ port: 0 })
  // Every limit, pool size and job slot is the default users get; of the timeouts only the queue's
  // visibility and heartbeat are shortened (above: stricter, not looser). Users are written to the
  // database and signed in, so this file's many users stay under the per-IP sign-up limit.
  env = appEnv(databaseUrl, aws, {
    ...QUICK_REDELIVERY,
  })
  web = await startApp({ ...env, NUXT_ROLE: 'web' })
  await startWorker()
  await startWorker()
}, 90_000)
afterAll(async () => {
  await Promise.all([web, ...workers].map(p => p?.stop()))
  await aws?.stop()
  if (databaseUrl) await dropDatabase(databaseUrl)
})

const open = (s: string) => s === 'queued' || s === 'running'
/** The screen's way: answered at once with 202, the job followed through its Location. */
const ASYNC = { ...RESPOND_ASYNC }
/** Follows a job's Location until it finishes. */
const follow = (user: TestUser, location: string, timeoutMs = 90_000) =>
  until(async () => (await http(base(), 'GET', location, { token: user.accessToken })).body, b => !open(b.status), timeoutMs)
const objectsOf = (userId: number) => objectKeysOf(aws.endpoint, aws.bucket, userId)
const workerIds = (procs: AppProcess[]) => procs.map(p => `:${p.child.pid}`)

describe('roles', () => {
  it('a worker serves only its health check; the web process serves the app', async () => {
    const w = workers[0]!
    expect((await fetch(`${w.baseURL}/api/health`)).status).toBe(200)
    for (const path of ['/api/backups', '/login', '/api/auth/login']) expect((await fetch(`${w.baseURL}${path}`)).status).toBe(404)
    expect((await fetch(`${base()}/login`)).status).toBe(200)
  })
})

describe('1 web + 2 workers', () => {
  it('20 jobs for 10 users all end completed with the right data, run by the workers only', async () => {
    const conn = await connect(databaseUrl)
    const users = await Promise.all(Array.from({ length: 10 }, (_, i) => seededUser(base(), databaseUrl, `many${i}`)))
    for (const u of users) await seedLedger(conn, u.id, 3_000)
    await Promise.all(users.map(async (u) => {
      const backup = await http(base(), 'POST', '/api/backup', { token: u.accessToken })
      expect([201, 202]).toContain(backup.status)
      const done = backup.status === 201 ? backup.body : await follow(u, backup.headers.get('location')!)
      expect(done.status).toBe('completed')
      const snapshot = await dumpUser(conn, u.id)
      await conn.query('UPDATE transactions SET description = \'changed\' WHERE user_id = ? AND MOD(id, 7) = 0', [u.id])
      await conn.query('DELETE FROM transactions WHERE user_id = ? AND MOD(id, 11) = 0', [u.id])
      const restore = await http(base(), 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: done.backup_id } })
      expect([200, 202]).toContain(restore.status)
      if (restore.status === 202) expect((await follow(u, restore.headers.get('location')!)).status).toBe('completed')
      expect(await dumpUser(conn, u.id)).toEqual(snapshot)
      // A completed job's progress is every row done, however quickly it ran (progress writes are
      // throttled: a job that ended before its first one read 0/0).
      const rows = Object.values(done.row_counts as Record<string, number>).reduce((n, c) => n + c, 0)
      expect(rows).toBeGreaterThan(3_000)
      const [[b]] = await conn.query<any[]>('SELECT progress_done AS d, progress_total AS t, progress_unit AS u FROM backups WHERE id = ?', [done.backup_id])
      expect(b).toEqual({ d: rows, t: rows, u: 'rows' })
      const [[{ id: restoreId }]] = await conn.query<any[]>('SELECT id FROM restores WHERE user_id = ?', [u.id])
      const r = await http(base(), 'GET', `/api/restores/${restoreId}`, { token: u.accessToken })
      expect(r.body.progress).toEqual({ done: rows, total: rows, unit: 'rows' })
    }))
    const [ran] = await conn.query<any[]>(`SELECT worker_id AS w, status FROM backups WHERE kind = 'manual' AND user_id IN (?) UNION ALL SELECT worker_id, status FROM restores WHERE user_id IN (?)`, [users.map(u => u.id), users.map(u => u.id)])
    await conn.end()
    expect(ran).toHaveLength(20)
    expect(ran.every((r: any) => r.status === 'completed')).toBe(true)
    // Every job ran on a worker process, none on the web process.
    const ids = workerIds(workers)
    expect(ran.every((r: any) => ids.some(id => r.w.endsWith(id)))).toBe(true)
    expect(ran.some((r: any) => r.w.endsWith(`:${web.child.pid}`))).toBe(false)
  }, 180_000)

  it('a worker killed mid-backup: the other completes it — one completed row, one object, no other', async () => {
    const u = await seededUser(base(), databaseUrl, 'kill-b')
    const conn = await connect(databaseUrl)
    await seedLedger(conn, u.id, 300_000)
    // Answered at once (the screen's way), so the job can be caught running.
    const res = await http(base(), 'POST', '/api/backup', { token: u.accessToken, headers: ASYNC })
    expect(res.status).toBe(202)
    const running = await until(async () => (await conn.query<any[]>('SELECT status, worker_id, progress_done FROM backups WHERE id = ?', [res.body.backup_id]))[0][0], r => r.status === 'running' && r.progress_done > 0, 30_000)
    expect(running.status).toBe('running')
    const victim = workers.find(w => running.worker_id?.endsWith(`:${w.child.pid}`))!
    expect(victim).toBeDefined()
    victim.child.kill('SIGKILL')
    workers.splice(workers.indexOf(victim), 1)
    const done = await follow(u, res.headers.get('location')!)
    expect(done.status).toBe('completed')
    await startWorker()
    const [rows] = await conn.query<any[]>('SELECT id, status, attempts FROM backups WHERE user_id = ?', [u.id])
    await conn.end()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ status: 'completed', attempts: 2 })
    // Its object is the second attempt's own key (each attempt writes its own).
    expect(await objectsOf(u.id)).toEqual([`users/${u.id}/backups/${rows[0].id}.a2.jsonl.gz`])
  }, 180_000)

  it('a worker killed mid-restore: the transaction rolled back, the other worker completes it; the data equals the backup', async () => {
    const u = await seededUser(base(), databaseUrl, 'kill-r')
    const conn = await connect(databaseUrl)
    await seedLedger(conn, u.id, 200_000)
    const backup = await http(base(), 'POST', '/api/backup', { token: u.accessToken })
    const b = backup.status === 201 ? backup.body : await follow(u, backup.headers.get('location')!)
    expect(b.status).toBe('completed')
    const snapshot = await dumpUser(conn, u.id)
    await conn.query('UPDATE transactions SET description = CONCAT(description, \' (edited)\') WHERE user_id = ?', [u.id])
    const edited = await dumpUser(conn, u.id)
    const res = await http(base(), 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: b.backup_id }, headers: ASYNC })
    expect(res.status).toBe(202)
    const applying = await until(async () => (await conn.query<any[]>('SELECT status, stage, worker_id FROM restores WHERE id = ?', [res.body.restore_id]))[0][0], r => r.stage === 'applying' || !open(r.status), 60_000)
    expect(applying.stage).toBe('applying')
    const victim = workers.find(w => applying.worker_id?.endsWith(`:${w.child.pid}`))!
    expect(victim).toBeDefined()
    victim.child.kill('SIGKILL')
    workers.splice(workers.indexOf(victim), 1)
    // Killed mid-transaction: MySQL rolls it back (or, had it just committed, the data is the backup's).
    const [[n]] = await conn.query<any[]>('SELECT COUNT(*) AS n FROM transactions WHERE user_id = ? AND description LIKE \'%(edited)\'', [u.id])
    expect([0, 200_000]).toContain(Number(n.n))
    const done = await follow(u, res.headers.get('location')!)
    expect(done.status).toBe('completed')
    await startWorker()
    const [[job]] = await conn.query<any[]>('SELECT attempts FROM restores WHERE id = ?', [res.body.restore_id])
    expect(job.attempts).toBe(2)
    expect(await dumpUser(conn, u.id)).toEqual(snapshot)
    // Completed safety backups hold the edited data; one left by the dead attempt is ended failed, without an object.
    const [safety] = await conn.query<any[]>('SELECT id, status FROM backups WHERE user_id = ? AND kind = \'pre-restore\'', [u.id])
    await conn.end()
    expect(safety.filter((s: any) => s.status === 'completed').length).toBeGreaterThanOrEqual(1)
    expect(safety.every((s: any) => s.status === 'completed' || s.status === 'failed')).toBe(true)
    const objects = await objectsOf(u.id)
    for (const s of safety) expect(objects.includes(`users/${u.id}/backups/${s.id}.jsonl.gz`)).toBe(s.status === 'completed')
    expect(edited.transactions).not.toEqual(snapshot.transactions)
  }, 240_000)

  it('a message delivered again for a finished job does nothing twice', async () => {
    const u = await seededUser(base(), databaseUrl, 'dup')
    const res = await http(base(), 'POST', '/api/backup', { token: u.accessToken })
    const b = res.status === 201 ? res.body : await follow(u, res.headers.get('location')!)
    expect(b.status).toBe('completed')
    const conn = await connect(databaseUrl)
    const read = async () => (await conn.query<any[]>('SELECT status, attempts, completed_at, sha256 FROM backups WHERE id = ?', [b.backup_id]))[0][0]
    const before = await read()
    const [[audits]] = await conn.query<any[]>('SELECT COUNT(*) AS n FROM audit_log WHERE user_id = ?', [u.id])
    const sqs = new SQSClient({ endpoint: aws.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
    for (let i = 0; i < 3; i++) await sqs.send(new SendMessageCommand({ QueueUrl: aws.jobQueueUrl, MessageBody: JSON.stringify({ kind: 'backup', id: b.backup_id, userId: u.id }) }))
    // The queue drains (every copy received and acknowledged).
    await until(async () => Number((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: aws.jobQueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes?.ApproximateNumberOfMessages ?? 1), n => n === 0, 20_000)
    await new Promise(r => setTimeout(r, 1000))
    expect(await read()).toEqual(before)
    const [[auditsAfter]] = await conn.query<any[]>('SELECT COUNT(*) AS n FROM audit_log WHERE user_id = ?', [u.id])
    await conn.end()
    expect(auditsAfter.n).toBe(audits.n)
    expect(await objectsOf(u.id)).toEqual([`users/${u.id}/backups/${b.backup_id}.jsonl.gz`])
  }, 60_000)
})

describe('failures after the 202', () => {
  it('A2: an invalid backup found by the job — the restore\'s row says BACKUP_INVALID with its reason, the data unchanged', async () => {
    const u = await seededUser(base(), databaseUrl, 'a2')
    const conn = await connect(databaseUrl)
    await seedLedger(conn, u.id, 500)
    const backup = await http(base(), 'POST', '/api/backup', { token: u.accessToken })
    const b = backup.status === 201 ? backup.body : await follow(u, backup.headers.get('location')!)
    // Same size, other bytes: only the SHA-256 can tell.
    const key = `users/${u.id}/backups/${b.backup_id}.jsonl.gz`
    await s3Client(aws.endpoint).send(new PutObjectCommand({ Bucket: aws.bucket, Key: key, Body: Buffer.alloc(b.size_bytes, 7) }))
    const before = await dumpUser(conn, u.id)
    const res = await http(base(), 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: b.backup_id }, headers: ASYNC })
    expect(res.status).toBe(202)
    const done = await follow(u, res.headers.get('location')!)
    expect(done).toMatchObject({ status: 'failed', error_code: 'BACKUP_INVALID', reason: 'checksum_mismatch', error_detail: { reason: 'checksum_mismatch' }, safety_backup_id: null })
    expect(await dumpUser(conn, u.id)).toEqual(before)
    expect((await http(base(), 'GET', `/api/backups/${b.backup_id}`, { token: u.accessToken })).body).toMatchObject({ status: 'invalid', error_code: 'checksum_mismatch' })
    await conn.end()
  }, 60_000)
})

describe('cancel', () => {
  it('another user can neither follow nor cancel a job (404, as for a job that does not exist)', async () => {
    const owner = await seededUser(base(), databaseUrl, 'owner')
    const other = await seededUser(base(), databaseUrl, 'other')
    const backup = await http(base(), 'POST', '/api/backup', { token: owner.accessToken, headers: ASYNC })
    const b = backup.status === 201 ? backup.body : await follow(owner, backup.headers.get('location')!)
    const restore = await http(base(), 'POST', '/api/restore', { token: owner.accessToken, body: { backup_id: b.backup_id }, headers: ASYNC })
    expect(restore.status).toBe(202)
    for (const path of [`/api/backups/${b.backup_id}`, `/api/restores/${restore.body.restore_id}`]) {
      expect((await http(base(), 'GET', path, { token: other.accessToken })).status).toBe(404)
      expect((await http(base(), 'POST', `${path}/cancel`, { token: other.accessToken })).status).toBe(404)
    }
    expect((await follow(owner, restore.headers.get('location')!)).status).toBe('completed')
    expect((await http(base(), 'GET', `/api/restores/${restore.body.restore_id}`, { token: owner.accessToken })).body).toMatchObject({ status: 'completed', stage: 'finished', backup_id: b.backup_id })
  }, 60_000)

  it('a running backup, cancelled: no object, the row cancelled; the user can back up again at once', async () => {
    const u = await seededUser(base(), databaseUrl, 'cancel-b')
    const conn = await connect(databaseUrl)
    await seedLedger(conn, u.id, 300_000)
    const pending = http(base(), 'POST', '/api/backup', { token: u.accessToken })
    const [[row]] = await until(() => conn.query<any[]>('SELECT id, status, progress_done FROM backups WHERE user_id = ?', [u.id]), ([[r]]) => r?.status === 'running' && r.progress_done > 0, 30_000)
    const cancel = await http(base(), 'POST', `/api/backups/${row.id}/cancel`, { token: u.accessToken })
    expect(cancel.status).toBe(200)
    expect(cancel.body).toMatchObject({ backup_id: row.id, status: 'cancelled', cancel_requested: true })
    const answered = await pending
    expect(answered.status).toBe(409)
    expect(answered.body.data.code).toBe('JOB_CANCELLED')
    expect(await objectsOf(u.id)).toEqual([])
    // Finished: cancelling again is refused.
    expect((await http(base(), 'POST', `/api/backups/${row.id}/cancel`, { token: u.accessToken })).body.data.code).toBe('JOB_NOT_CANCELLABLE')
    const again = await http(base(), 'POST', '/api/backup', { token: u.accessToken })
    expect([201, 202]).toContain(again.status)
    if (again.status === 202) await follow(u, again.headers.get('location')!)
    await conn.end()
  }, 120_000)

  it('a running restore, cancelled before its commit: the data as before, no safety backup left', async () => {
    const u = await seededUser(base(), databaseUrl, 'cancel-r')
    const conn = await connect(databaseUrl)
    await seedLedger(conn, u.id, 200_000)
    const backup = await http(base(), 'POST', '/api/backup', { token: u.accessToken })
    const b = backup.status === 201 ? backup.body : await follow(u, backup.headers.get('location')!)
    await conn.query('UPDATE transactions SET description = CONCAT(description, \' (edited)\') WHERE user_id = ?', [u.id])
    const before = await dumpUser(conn, u.id)
    const pending = http(base(), 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: b.backup_id } })
    const [[job]] = await until(() => conn.query<any[]>('SELECT id, stage FROM restores WHERE user_id = ?', [u.id]), ([[r]]) => r?.stage === 'applying' || r?.stage === 'safety_backup', 60_000)
    const cancel = await http(base(), 'POST', `/api/restores/${job.id}/cancel`, { token: u.accessToken })
    expect(cancel.status).toBe(200)
    expect(cancel.body).toMatchObject({ restore_id: job.id, status: 'cancelled' })
    expect((await pending).body.data.code).toBe('JOB_CANCELLED')
    expect(await dumpUser(conn, u.id)).toEqual(before)
    const [safety] = await conn.query<any[]>('SELECT id FROM backups WHERE user_id = ? AND kind = \'pre-restore\'', [u.id])
    expect(safety).toEqual([])
    expect(await objectsOf(u.id)).toEqual([`users/${u.id}/backups/${b.backup_id}.jsonl.gz`])
    // The ledger is writable again.
    expect((await http(base(), 'POST', '/api/accounts', { token: u.accessToken, body: { name: 'after', currency: 'BRL' } })).status).toBe(201)
    await conn.end()
  }, 180_000)

  it('a queued backup, cancelled: it never runs', async () => {
    const u = await seededUser(base(), databaseUrl, 'cancel-q')
    const conn = await connect(databaseUrl)
    const lock = jobLockName(databaseName(databaseUrl), u.id)
    await conn.query('SELECT GET_LOCK(?, 0)', [lock])
    const res = await http(base(), 'POST', '/api/backup', { token: u.accessToken })
    expect(res.status).toBe(202)
    expect(res.body.status).toBe('queued')
    const cancel = await http(base(), 'POST', `/api/backups/${res.body.backup_id}/cancel`, { token: u.accessToken })
    expect(cancel.body).toMatchObject({ status: 'cancelled' })
    await conn.query('SELECT RELEASE_LOCK(?)', [lock])
    await new Promise(r => setTimeout(r, 6000))
    const [[row]] = await conn.query<any[]>('SELECT status, attempts FROM backups WHERE id = ?', [res.body.backup_id])
    await conn.end()
    expect(row).toEqual({ status: 'cancelled', attempts: 0 })
    expect(await objectsOf(u.id)).toEqual([])
  }, 60_000)
})

describe('attempts used up', () => {
  it('the job ends failed (JOB_INTERRUPTED), one SNS message is published and the message goes to the dead-letter queue', async () => {
    const u = await seededUser(base(), databaseUrl, 'dlq')
    const conn = await connect(databaseUrl)
    await drainNotifications(aws.endpoint, aws.queueName, 1)
    // Another instance holds the user's lock for good: every delivery is turned away and counted.
    const lock = jobLockName(databaseName(databaseUrl), u.id)
    await conn.query('SELECT GET_LOCK(?, 0)', [lock])
    const res = await http(base(), 'POST', '/api/backup', { token: u.accessToken })
    expect(res.status).toBe(202)
    // Each turned-away delivery comes back 30 s later: the 4th (maxReceiveCount) ends the job.
    const done = await follow(u, res.headers.get('location')!, 150_000)
    expect(done).toMatchObject({ status: 'failed', error_code: 'JOB_INTERRUPTED' })
    await conn.query('SELECT RELEASE_LOCK(?)', [lock])
    await conn.end()
    const notes = (await drainNotifications(aws.endpoint, aws.queueName, 2)).filter(n => n.body.jobId === res.body.backup_id)
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatchObject({ event: 'backup.failed', body: { code: 'JOB_INTERRUPTED', userId: u.id } })
    const sqs = new SQSClient({ endpoint: aws.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
    const dlq = await until(async () => Number((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: aws.jobDeadLetterQueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages ?? 0), n => n >= 1, 20_000)
    expect(dlq).toBe(1)
  }, 240_000)
})
