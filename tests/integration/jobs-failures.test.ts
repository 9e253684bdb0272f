// Jobs on SQS when things go wrong around them (found by a review that attacked a running build):
// jobs waiting long for a worker, a worker that dies or freezes, a cancel nobody runs, a target
// deleted meanwhile, a restart without a queue, odd request metadata, an SQS that never answers.
// One web process for the file; each test starts the workers it needs, against one database and
// one fauxqs.
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { dropDatabase } from '../../scripts/lib/database.mjs'
import { RESPOND_ASYNC } from '../../shared/prefer'
import { startLocalAws } from '../../scripts/lib/local-aws.mjs'
import { jobLockName } from '../../server/services/job-lock'
import { http, seededUser, type TestUser } from '../support/api'
import { until } from '../support/until'
import { connect, databaseName, dumpUser, seedLedger, transactionsInBackup } from '../support/data'
import { objectKeysOf } from '../support/mutate'
import { startS3HttpProxy } from '../support/s3-http-proxy'
import { appEnv, createTestDatabase, startApp, type AppProcess, type LocalAws } from '../support/stack'

// A dead worker's job comes back after the visibility timeout: shortened (60 s → 8 s, heartbeat
// 15 s → 2 s) so redeliveries fit in a test; a live job must then keep up a 4x tighter heartbeat.
const QUICK = { NUXT_QUEUE_VISIBILITY_TIMEOUT_SECONDS: '8', NUXT_QUEUE_HEARTBEAT_SECONDS: '2' }
const ASYNC = { ...RESPOND_ASYNC }

let databaseUrl: string
let aws: LocalAws
let env: Record<string, string>
let web: AppProcess
const started: AppProcess[] = []
const start = async (extra: Record<string, string>) => {
  const p = await startApp({ ...env, ...extra })
  started.push(p)
  return p
}
const kill = (p: AppProcess) => { p.child.kill('SIGKILL'); started.splice(started.indexOf(p), 1) }
/** Runs `body` while `worker` may be frozen (SIGSTOP); afterwards, whatever happened, it is woken and killed, and `conn` closed. */
async function whileFrozen(worker: AppProcess, conn: { end: () => Promise<void> }, body: () => Promise<void>) {
  try { await body() }
  finally {
    worker.child.kill('SIGCONT')
    kill(worker)
    await conn.end()
  }
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase()
  aws = await startLocalAws({ port: 0 })
  // Every limit, pool size and job slot is the default users get; of the timeouts only the queue's
  // visibility and heartbeat are shortened (above: stricter, not looser). Users are written to the
  // database and signed in, so this file's many users stay under the per-IP sign-up limit.
  env = appEnv(databaseUrl, aws, {
    ...QUICK,
  })
  web = await start({ NUXT_ROLE: 'web' })
}, 90_000)
afterEach(async () => {
  // Only the web process outlives a test.
  for (const p of started.filter(p => p !== web)) await p.stop()
  started.splice(0, started.length, web)
})
afterAll(async () => {
  await Promise.all(started.map(p => p.stop()))
  await aws?.stop()
  if (databaseUrl) await dropDatabase(databaseUrl)
})

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))
const open = (s: string) => s === 'queued' || s === 'running'
const follow = (u: TestUser, location: string, timeoutMs = 90_000) =>
  until(async () => (await http(web.baseURL, 'GET', location, { token: u.accessToken })).body, b => !open(b.status), timeoutMs)
/** A new user with `rows` transactions, and a connection to the test database (the caller ends it). */
async function userWithLedger(name: string, rows: number) {
  const conn = await connect(databaseUrl)
  const u = await seededUser(web.baseURL, databaseUrl, name)
  await seedLedger(conn, u.id, rows)
  return { conn, u }
}
/** A new user with `rows` transactions, a worker started, and a first backup of theirs, completed. */
async function userWithBackup(name: string, rows: number) {
  const { conn, u } = await userWithLedger(name, rows)
  const worker = await start({ NUXT_ROLE: 'worker' })
  const b = await http(web.baseURL, 'POST', '/api/backup', { token: u.accessToken })
  const backup = b.status === 201 ? b.body : await follow(u, b.headers.get('location')!)
  return { conn, u, worker, backup }
}

describe('recovery', () => {
  it('a queued job whose message is still on the queue is not ended by recovery (workers busy or restarting)', async () => {
    const conn = await connect(databaseUrl)
    const u = await seededUser(web.baseURL, databaseUrl, 'queued-stale')
    // No worker is up (all busy, or being redeployed): the job waits in the queue, as designed.
    const res = await http(web.baseURL, 'POST', '/api/backup', { token: u.accessToken, headers: ASYNC })
    expect(res.status).toBe(202)
    await sleep(4000)
    // Any instance's recovery pass (staleAfter shortened from 600 s to 3 s to fit a test; in
    // production the same happens to jobs that wait > 10 min for a worker).
    await start({ NUXT_ROLE: 'web', NUXT_JOBS_STALE_AFTER_SECONDS: '3' })
    await sleep(3000)
    // Then a worker comes up and would run it.
    await start({ NUXT_ROLE: 'worker' })
    const done = await follow(u, res.headers.get('location')!, 30_000)
    await conn.end()
    expect(done.status).toBe('completed')
  }, 120_000)

  it('a restore whose worker died and that ended failed leaves no read-only flag: the next backup does not block ledger writes', async () => {
    const { conn, u, worker: w1, backup } = await userWithBackup('flag-leak', 200_000)
    expect(backup.status).toBe('completed')
    await conn.query('UPDATE transactions SET description = CONCAT(description, \' (edited)\') WHERE user_id = ?', [u.id])
    const res = await http(web.baseURL, 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: backup.backup_id }, headers: ASYNC })
    expect(res.status).toBe(202)
    const r = await until(async () => (await conn.query<any[]>('SELECT status, stage FROM restores WHERE id = ?', [res.body.restore_id]))[0][0], r => r.stage === 'applying' || !open(r.status), 90_000)
    expect(r.stage).toBe('applying')
    kill(w1)
    // The restore is ended by recovery (or, the same, by its last delivery): failed, cleanly.
    await sleep(4000)
    await start({ NUXT_ROLE: 'web', NUXT_JOBS_STALE_AFTER_SECONDS: '3' })
    const ended = await follow(u, `/api/restores/${res.body.restore_id}`, 20_000)
    expect(ended).toMatchObject({ status: 'failed', error_code: 'JOB_INTERRUPTED' })
    const [[flag]] = await conn.query<any[]>('SELECT restoring_since FROM users WHERE id = ?', [u.id])
    expect(flag.restoring_since).toBeNull()
    // Later, an ordinary backup runs (it holds the user's job lock) ...
    await start({ NUXT_ROLE: 'worker' })
    const b2 = await http(web.baseURL, 'POST', '/api/backup', { token: u.accessToken, headers: ASYNC })
    expect(b2.status).toBe(202)
    await until(async () => (await conn.query<any[]>('SELECT status, progress_done FROM backups WHERE id = ?', [b2.body.backup_id]))[0][0], r => r.status === 'running' && r.progress_done > 0, 30_000)
    // ... and meanwhile the user's ledger must stay writable: no restore is going on.
    const active = await http(web.baseURL, 'GET', '/api/restores/active', { token: u.accessToken })
    const write = await http(web.baseURL, 'POST', '/api/accounts', { token: u.accessToken, body: { name: 'during backup', currency: 'BRL' } })
    await follow(u, b2.headers.get('location')!)
    await conn.end()
    expect(active.body.restoring).toBe(false)
    expect(write.status).toBe(201)
  }, 240_000)
})

describe('one job per user', () => {
  it('concurrent backups and restores: exactly one accepted, the rest 409', async () => {
    // Jobs that take a few seconds, so the requests of a round all arrive while the first runs.
    const { conn, u, backup } = await userWithBackup('mix', 100_000)
    for (let round = 0; round < 3; round++) {
      const all = await Promise.all(Array.from({ length: 8 }, (_, i) => i % 2
        ? http(web.baseURL, 'POST', '/api/backup', { token: u.accessToken, headers: ASYNC })
        : http(web.baseURL, 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: backup.backup_id }, headers: ASYNC })))
      const codes = all.map(r => r.status)
      expect(codes.filter(c => c < 300)).toHaveLength(1)
      expect(codes.filter(c => c === 409)).toHaveLength(7)
      for (const ok of all.filter(r => r.status < 300)) await follow(u, ok.headers.get('location')!)
    }
    // Never two of them running at once: each started after the previous one completed.
    const [jobs] = await conn.query<any[]>(`SELECT started_at AS s, completed_at AS c, status FROM backups WHERE user_id = ? AND kind = 'manual' UNION ALL SELECT started_at, completed_at, status FROM restores WHERE user_id = ? ORDER BY s`, [u.id, u.id])
    await conn.end()
    expect(jobs.every((j: any) => j.status === 'completed')).toBe(true)
    for (let i = 1; i < jobs.length; i++) expect(jobs[i].s >= jobs[i - 1].c).toBe(true)
  }, 120_000)
})

describe('queued restore', () => {
  it('its target backup deleted while it waits: the restore ends (not stuck running) and the user can start another job', async () => {
    const { conn, u, backup } = await userWithBackup('del-target', 100)
    // The worker is busy elsewhere for a moment (here: the user's lock held, as in jobs.test.ts).
    const lock = jobLockName(databaseName(databaseUrl), u.id)
    await conn.query('SELECT GET_LOCK(?, 0)', [lock])
    const res = await http(web.baseURL, 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: backup.backup_id }, headers: ASYNC })
    expect(res.status).toBe(202)
    // The restore needs that file: deleting it waits until the restore is over.
    const del = await http(web.baseURL, 'DELETE', `/api/backups/${backup.backup_id}`, { token: u.accessToken })
    expect([del.status, del.body.data.code]).toEqual([409, 'JOB_IN_PROGRESS'])
    await conn.query('SELECT RELEASE_LOCK(?)', [lock])
    const job = await follow(u, res.headers.get('location')!, 90_000)
    expect(job.status).toBe('completed')
    expect((await http(web.baseURL, 'DELETE', `/api/backups/${backup.backup_id}`, { token: u.accessToken })).status).toBe(204)
    // Had the file gone anyway (a row removed behind the API's back), the restore ends, not stuck running.
    const b2 = await http(web.baseURL, 'POST', '/api/backup', { token: u.accessToken })
    const second = b2.status === 201 ? b2.body : await follow(u, b2.headers.get('location')!)
    expect(second.status).toBe('completed')
    await conn.query('SELECT GET_LOCK(?, 0)', [lock])
    const res2 = await http(web.baseURL, 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: second.backup_id }, headers: ASYNC })
    expect(res2.status).toBe(202)
    await conn.query('DELETE FROM backups WHERE id = ?', [second.backup_id])
    await conn.query('SELECT RELEASE_LOCK(?)', [lock])
    const ended = await follow(u, res2.headers.get('location')!, 90_000)
    expect(ended).toMatchObject({ status: 'failed', error_code: 'NOT_FOUND' })
    const again = await http(web.baseURL, 'POST', '/api/backup', { token: u.accessToken, headers: ASYNC })
    await conn.end()
    expect(again.status).toBe(202)
    await follow(u, again.headers.get('location')!)
  }, 240_000)
})

describe('cancel', () => {
  it('cancelling a job whose worker died ends it (the next delivery does not leave it running)', async () => {
    const { conn, u } = await userWithLedger('cancel-dead', 300_000)
    const w1 = await start({ NUXT_ROLE: 'worker' })
    const res = await http(web.baseURL, 'POST', '/api/backup', { token: u.accessToken, headers: ASYNC })
    await until(async () => (await conn.query<any[]>('SELECT status, progress_done FROM backups WHERE id = ?', [res.body.backup_id]))[0][0], r => r.status === 'running' && r.progress_done > 0, 30_000)
    kill(w1)
    await start({ NUXT_ROLE: 'worker' })
    const t0 = Date.now()
    const cancel = await http(web.baseURL, 'POST', `/api/backups/${res.body.backup_id}/cancel`, { token: u.accessToken })
    // No worker runs it (its user's lock is free): it is ended at once, leaving nothing.
    expect(cancel.body).toMatchObject({ status: 'cancelled' })
    expect(Date.now() - t0).toBeLessThan(5_000)
    // Past the visibility timeout (8 s): the message delivered again to the live worker changes nothing.
    await sleep(12_000)
    const [[row]] = await conn.query<any[]>('SELECT status, error_code FROM backups WHERE id = ?', [res.body.backup_id])
    expect(row).toEqual({ status: 'cancelled', error_code: 'JOB_CANCELLED' })
    const again = await http(web.baseURL, 'POST', '/api/backup', { token: u.accessToken, headers: ASYNC })
    expect(again.status).toBe(202)
    await follow(u, again.headers.get('location')!)
    const [objects] = await conn.query<any[]>('SELECT id FROM backups WHERE user_id = ? AND status = \'completed\'', [u.id])
    await conn.end()
    expect(objects).toHaveLength(1)
  }, 120_000)
})

describe('a worker that stops answering (frozen host, network partition)', () => {
  it('its job is not ended while it may still run, and the user is not locked out of every later job', async () => {
    const { conn, u } = await userWithLedger('frozen', 300_000)
    const w1 = await start({ NUXT_ROLE: 'worker' })
    const res = await http(web.baseURL, 'POST', '/api/backup', { token: u.accessToken, headers: ASYNC })
    await until(async () => (await conn.query<any[]>('SELECT status, progress_done FROM backups WHERE id = ?', [res.body.backup_id]))[0][0], r => r.status === 'running' && r.progress_done > 0, 30_000)
    // The worker's host freezes: its TCP connections (and so its MySQL named lock) stay open.
    w1.child.kill('SIGSTOP')
    await whileFrozen(w1, conn, async () => {
      await start({ NUXT_ROLE: 'worker' })
      // MySQL ends the frozen worker's silent lock session (30 s), so another worker takes the job
      // over (fenced: whatever the frozen one does if it wakes up cannot change the job's row).
      const takenOver = await until(async () => (await conn.query<any[]>('SELECT status, attempts, worker_id AS w, progress_done AS d FROM backups WHERE id = ?', [res.body.backup_id]))[0][0],
        r => !open(r.status) || (r.attempts > 1 && !r.w?.endsWith(`:${w1.child.pid}`) && r.d > 0), 150_000)
      // Still running on the other worker when the frozen one wakes (else this test shows nothing).
      expect(takenOver).toMatchObject({ status: 'running' })
      // The frozen worker wakes while the other one runs the job: its run stops (its lock session
      // and its row are no longer its own), and nothing it does on the way out may end the job.
      w1.child.kill('SIGCONT')
      const first = await follow(u, res.headers.get('location')!, 150_000)
      expect(first.status).toBe('completed')
      // Later jobs of that user run as usual.
      const again = await http(web.baseURL, 'POST', '/api/backup', { token: u.accessToken, headers: ASYNC })
      expect(again.status).toBe(202)
      const second = await follow(u, again.headers.get('location')!, 90_000)
      expect(second.status).toBe('completed')
    })
  }, 300_000)
})

describe('a worker frozen while S3 holds its backup\'s upload', () => {
  it('the upload S3 finishes after another attempt completed the backup replaces nothing: the backup restores, and no object of the frozen attempt stays', async () => {
    const { conn, u } = await userWithLedger('late-upload', 20_000)
    // Only the first worker talks to S3 through the proxy, which holds its creating request (one
    // PutObject: the file is below a part) until the test releases it; the worker freezes as soon
    // as the request has reached the proxy whole.
    const proxy = await startS3HttpProxy(aws.endpoint)
    const w1 = await start({ NUXT_ROLE: 'worker', NUXT_S3_ENDPOINT: proxy.url })
    let arrived = false
    proxy.onCreation = () => {
      if (arrived) return
      arrived = true
      w1.child.kill('SIGSTOP')
    }
    proxy.rule = { kind: 'hold-creation', ms: 600_000 }
    const res = await http(web.baseURL, 'POST', '/api/backup', { token: u.accessToken, headers: ASYNC })
    expect(res.status).toBe(202)
    const id = res.body.backup_id
    await until(async () => arrived, a => a, 60_000)
    await whileFrozen(w1, conn, async () => {
      try {
        // Another worker takes the job over once the frozen one's lock session ends, and completes it.
        await start({ NUXT_ROLE: 'worker' })
        const done = await follow(u, res.headers.get('location')!, 150_000)
        expect(done.status).toBe('completed')
        const [[row]] = await conn.query<any[]>('SELECT attempts, object_attempt AS objectAttempt, url FROM backups WHERE id = ?', [id])
        expect(row.attempts).toBeGreaterThan(1)
        // Now S3 finishes the frozen attempt's upload (on 4096277 both attempts wrote one key: this
        // replaced the completed object, and the backup became invalid).
        proxy.release()
        // The worker, once awake, may run the restore below: its requests now go through unheld.
        proxy.rule = { kind: 'pass' }
        await until(async () => proxy.lateCreations.length, n => n > 0, 30_000)
        expect(proxy.lateCreations).toEqual([200])
        w1.child.kill('SIGCONT')
        const restore = await http(web.baseURL, 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: id } })
        expect(restore.body?.data ?? null).toBeNull()
        expect([200, 202]).toContain(restore.status)
        if (restore.status === 202) expect(await follow(u, restore.headers.get('location')!, 120_000)).toMatchObject({ status: 'completed', error_code: null })
        // The frozen attempt, awake, removes what it wrote: only the row's own object stays.
        const objects = await until(async () => (await objectKeysOf(aws.endpoint, aws.bucket, u.id)).filter(k => k.includes(id)), keys => keys.length === 1, 60_000)
        expect(objects).toEqual([String(row.url).replace(/^s3:\/\/[^/]+\//, '')])
        expect(objects[0]).toBe(`users/${u.id}/backups/${id}.a${row.attempts}.jsonl.gz`)
        expect(row.objectAttempt).toBe(row.attempts)
      }
      finally { await proxy.close() }
    })
  }, 300_000)
})

describe('a worker frozen mid-restore', () => {
  it('waking while another worker runs the restore, it leaves that run alone: its window, its safety backup, its row', async () => {
    const { conn, u, worker: w1, backup } = await userWithBackup('frozen-restore', 300_000)
    const snapshot = await dumpUser(conn, u.id)
    await conn.query('UPDATE transactions SET description = \'changed\' WHERE user_id = ? AND MOD(id, 3) = 0', [u.id])
    const res = await http(web.baseURL, 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: backup.backup_id }, headers: ASYNC })
    expect(res.status).toBe(202)
    await until(async () => (await conn.query<any[]>('SELECT status, progress_done FROM restores WHERE id = ?', [res.body.restore_id]))[0][0], r => r.status === 'running' && r.progress_done > 0, 30_000)
    w1.child.kill('SIGSTOP')
    await whileFrozen(w1, conn, async () => {
      await start({ NUXT_ROLE: 'worker' })
      const takenOver = await until(async () => (await conn.query<any[]>('SELECT status, attempts, worker_id AS w, safety_backup_id AS s FROM restores WHERE id = ?', [res.body.restore_id]))[0][0],
        r => !open(r.status) || (r.attempts > 1 && !r.w?.endsWith(`:${w1.child.pid}`) && r.s !== null), 150_000)
      expect(takenOver).toMatchObject({ status: 'running' })
      // The frozen run wakes while the other attempt restores (on 3c8bf2c it ended that restore
      // cancelled, removed its safety backup and reopened the ledger to writes mid-restore).
      w1.child.kill('SIGCONT')
      const done = await follow(u, res.headers.get('location')!, 150_000)
      expect(done.status).toBe('completed')
      expect(await dumpUser(conn, u.id)).toEqual(snapshot)
      const [[restore]] = await conn.query<any[]>('SELECT safety_backup_id AS s FROM restores WHERE id = ?', [res.body.restore_id])
      const [[safety]] = await conn.query<any[]>('SELECT status FROM backups WHERE id = ?', [restore.s])
      expect(safety).toEqual({ status: 'completed' })
    })
  }, 360_000)
})

describe('a worker frozen mid-restore past its lock session, no other worker to take over', () => {
  it('every write answered 201 meanwhile survives, in the data or in a safety backup', async () => {
    // The worker runs with the default queue timeouts (visibility 60 s, heartbeat 15 s): nothing
    // delivers the job again before it wakes, so its own run decides the outcome.
    const { conn, u } = await userWithLedger('frozen-gate', 300_000)
    const w1 = await start({ NUXT_ROLE: 'worker', NUXT_QUEUE_VISIBILITY_TIMEOUT_SECONDS: '60', NUXT_QUEUE_HEARTBEAT_SECONDS: '15' })
    const b = await http(web.baseURL, 'POST', '/api/backup', { token: u.accessToken })
    const backup = b.status === 201 ? b.body : await follow(u, b.headers.get('location')!)
    const [[{ accountId }]] = await conn.query<any[]>('SELECT id AS accountId FROM accounts WHERE user_id = ? LIMIT 1', [u.id])
    await conn.query('UPDATE transactions SET description = \'changed\' WHERE user_id = ? AND MOD(id, 3) = 0', [u.id])
    const res = await http(web.baseURL, 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: backup.backup_id }, headers: ASYNC })
    expect(res.status).toBe(202)
    // Frozen once its read-only window is open (the safety backup or the apply under way).
    const frozenAt = await until(async () => (await conn.query<any[]>('SELECT status, stage FROM restores WHERE id = ?', [res.body.restore_id]))[0][0], r => !open(r.status) || r.stage === 'safety_backup' || r.stage === 'applying', 60_000)
    expect(frozenAt.status).toBe('running')
    w1.child.kill('SIGSTOP')
    const acknowledged: { id: number, description: string }[] = []
    await whileFrozen(w1, conn, async () => {
      // MySQL ends the frozen worker's silent lock session after 30 s, and with it the write gate:
      // writes are accepted again while the restore is still the frozen run's.
      const deadline = Date.now() + 90_000
      for (let i = 0; acknowledged.length < 5 && Date.now() < deadline; i++) {
        const description = `during the freeze ${i}`
        const r = await http(web.baseURL, 'POST', '/api/transactions', { token: u.accessToken, body: { accountId, amount: '-1.00', date: '2026-11-30', description } })
        if (r.status === 201) acknowledged.push({ id: r.body.id, description })
        else expect([r.status, r.body?.data?.code]).toEqual([409, 'RESTORE_IN_PROGRESS'])
        await sleep(200)
      }
      expect(acknowledged.length).toBe(5)
      // It wakes and carries on (its row is still its own): on 4766a9e it committed, deleting those writes.
      w1.child.kill('SIGCONT')
      const done = await follow(u, res.headers.get('location')!, 150_000)
      expect(['completed', 'failed']).toContain(done.status)
      const [live] = await conn.query<any[]>('SELECT id, description FROM transactions WHERE user_id = ?', [u.id])
      const liveById = new Map(live.map(r => [Number(r.id), String(r.description)]))
      const [safety] = await conn.query<any[]>('SELECT id FROM backups WHERE user_id = ? AND kind = \'pre-restore\' AND status = \'completed\'', [u.id])
      const inSafety = await Promise.all(safety.map(b => transactionsInBackup(web.baseURL, u.accessToken, b.id)))
      const lost = acknowledged.filter(a => liveById.get(a.id) !== a.description && !inSafety.some(m => m.get(a.id) === a.description))
      expect(lost).toEqual([])
    })
  }, 360_000)
})

describe('single instance without a queue (role both, NUXT_QUEUE_URL unset: npm run dev, the documented default)', () => {
  it('a restart mid-backup does not lock the user out of backups for NUXT_JOBS_STALE_AFTER_SECONDS (600 s)', async () => {
    const conn = await connect(databaseUrl)
    const solo = await start({ NUXT_ROLE: 'both', NUXT_QUEUE_URL: '' })
    const u = await seededUser(solo.baseURL, databaseUrl, 'solo')
    await seedLedger(conn, u.id, 300_000)
    const res = await http(solo.baseURL, 'POST', '/api/backup', { token: u.accessToken, headers: ASYNC })
    expect(res.status).toBe(202)
    await until(async () => (await conn.query<any[]>('SELECT status, progress_done FROM backups WHERE id = ?', [res.body.backup_id]))[0][0], r => r.status === 'running' && r.progress_done > 0, 30_000)
    kill(solo)
    const again = await start({ NUXT_ROLE: 'both', NUXT_QUEUE_URL: '' })
    await sleep(3000)
    const retry = await http(again.baseURL, 'POST', '/api/backup', { token: u.accessToken, headers: ASYNC })
    const [[row]] = await conn.query<any[]>('SELECT status, error_code FROM backups WHERE id = ?', [res.body.backup_id])
    await conn.end()
    // The restarted instance ended the job it can no longer run (nothing will deliver it again).
    expect(row).toEqual({ status: 'failed', error_code: 'JOB_INTERRUPTED' })
    expect(retry.status).toBe(202)
  }, 120_000)
})

describe('the job message', () => {
  it('a job whose requester address is long (X-Forwarded-For behind COFRE_TRUST_PROXY) still runs', async () => {
    const proxied = await start({ NUXT_ROLE: 'web', COFRE_TRUST_PROXY: 'true' })
    await start({ NUXT_ROLE: 'worker' })
    const u = await seededUser(proxied.baseURL, databaseUrl, 'xff')
    // The first X-Forwarded-For entry is whatever the client sent; proxies append theirs after it.
    const res = await http(proxied.baseURL, 'POST', '/api/backup', { token: u.accessToken, headers: { ...ASYNC, 'x-forwarded-for': `${'a'.repeat(80)}, 203.0.113.7` } })
    expect(res.status).toBe(202)
    const done = await until(async () => (await http(proxied.baseURL, 'GET', res.headers.get('location')!, { token: u.accessToken })).body, b => !open(b.status), 20_000)
    expect(done.status).toBe('completed')
  }, 60_000)
})

describe('no request can hang', () => {
  let blackhole: Server
  const sockets: Socket[] = []
  afterEach(() => { sockets.forEach(s => s.destroy()); blackhole?.close() })

  it('POST /api/backup with Prefer: respond-async answers at once even if SQS does not answer', async () => {
    // An SQS endpoint that accepts connections and never answers (a stalled network path).
    blackhole = createServer(s => sockets.push(s))
    await new Promise<void>(r => blackhole.listen(0, '127.0.0.1', r))
    const port = (blackhole.address() as { port: number }).port
    const stalled = await start({ NUXT_ROLE: 'web', NUXT_QUEUE_ENDPOINT: `http://127.0.0.1:${port}` })
    const u = await seededUser(stalled.baseURL, databaseUrl, 'sqs-stall')
    const t0 = Date.now()
    const res = await Promise.race([
      http(stalled.baseURL, 'POST', '/api/backup', { token: u.accessToken, headers: ASYNC }),
      sleep(25_000).then(() => ({ status: 0, body: 'no answer within 25 s' })),
    ])
    const ms = Date.now() - t0
    expect(ms).toBeLessThan(11_000)
    // The queue could not take it: 503 with Retry-After, and no job row left behind.
    expect([res.status, (res.body as any)?.data?.code]).toEqual([503, 'SERVICE_BUSY'])
    const conn = await connect(databaseUrl)
    const [rows] = await conn.query<any[]>('SELECT id FROM backups WHERE user_id = ?', [u.id])
    await conn.end()
    expect(rows).toEqual([])
  }, 200_000)
})
