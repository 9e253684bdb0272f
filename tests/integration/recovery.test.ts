import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { http, newUser } from '../support/api'
import { until } from '../support/until'
import { connect, databaseName, seedLedger, waitForStatement } from '../support/data'
import { s3Client } from '../support/mutate'
import { startApp, startStack, type Stack } from '../support/stack'

// A job whose worker dies is delivered again once its message's visibility timeout passes. These
// stacks shorten it (60 s → 8 s, heartbeat 15 s → 2 s) so the redelivery comes within the test:
// that hides nothing — a live job must then keep its message invisible with a 4x tighter heartbeat.
const QUICK_REDELIVERY = { NUXT_QUEUE_VISIBILITY_TIMEOUT_SECONDS: '8', NUXT_QUEUE_HEARTBEAT_SECONDS: '2' }


describe('process killed mid-backup (kill -9), then restarted', () => {
  let stack: Stack
  beforeAll(async () => { stack = await startStack({ NUXT_S3_PART_SIZE_MB: '5', ...QUICK_REDELIVERY }) })
  // stack.stop() stops the server startStack made; the one restarted after the kill is stopped here.
  afterAll(async () => { await stack?.app.stop(); await stack?.stop() })

  it('the job is delivered again and completes: one completed row, one object, its partial upload gone; the next backup succeeds', async () => {
    const u = await newUser(stack.app.baseURL, 'kill9')
    const conn = await connect(stack.databaseUrl)
    await seedLedger(conn, u.id, 100_000)
    const pending = http(stack.app.baseURL, 'POST', '/api/backup', { token: u.accessToken }).catch(e => e)
    // Wait until the export is streaming (the row is `running`), then kill the server outright.
    const s3 = s3Client(stack.aws.endpoint)
    expect(await waitForStatement(conn, databaseName(stack.databaseUrl), 'SELECT CONCAT(%FROM `transactions`%')).toBe(true)
    stack.app.child.kill('SIGKILL')
    await pending
    const [[before]] = await conn.query<any[]>('SELECT id, status, attempts FROM backups WHERE user_id = ?', [u.id])
    expect(before).toMatchObject({ status: 'running', attempts: 1 })

    stack.app = await startApp(stack.env)
    const [[row]] = await until(() => conn.query<any[]>('SELECT id, status, error_code, attempts, size_bytes FROM backups WHERE user_id = ?', [u.id]), ([[r]]) => r.status !== 'running', 60_000)
    expect(row).toMatchObject({ id: before.id, status: 'completed', error_code: null, attempts: 2 })
    // The second attempt removed the first's partial upload and wrote the whole file once, under
    // its own key (each attempt writes its own: <id>.a2.jsonl.gz).
    // (fauxqs does not implement ListMultipartUploads, so abandoned parts cannot be observed here;
    // on AWS the abort removes them and the bucket's lifecycle rule is the backstop — README.)
    const objects = await s3.send(new ListObjectsV2Command({ Bucket: stack.aws.bucket, Prefix: `users/${u.id}/` }))
    expect(objects.Contents?.map(o => [o.Key, o.Size])).toEqual([[`users/${u.id}/backups/${before.id}.a2.jsonl.gz`, row.size_bytes]])
    await conn.end()
    const login = await http(stack.app.baseURL, 'POST', '/api/auth/login', { body: { email: u.email, password: u.password } })
    expect((await http(stack.app.baseURL, 'POST', '/api/backup', { token: login.body.token.accessToken })).status).toBe(201)
  })
})

describe('process killed mid-restore (kill -9), then restarted', () => {
  // The server gets a temp folder of its own (TMPDIR), so what this test sees is only its doing.
  let stack: Stack
  let tmp: string
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cofre-it-tmp-'))
    stack = await startStack({ TMPDIR: tmp, ...QUICK_REDELIVERY })
  })
  afterAll(async () => {
    await stack?.app.stop()
    await stack?.stop()
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('the plaintext temp folder it left is removed at start-up; the restore is delivered again and completes; the next one succeeds', async () => {
    const u = await newUser(stack.app.baseURL, 'kill9r')
    const conn = await connect(stack.databaseUrl)
    await seedLedger(conn, u.id, 100_000)
    const backup = await http(stack.app.baseURL, 'POST', '/api/backup', { token: u.accessToken })
    expect(backup.status).toBe(201)
    const pending = http(stack.app.baseURL, 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: backup.body.backup_id } }).catch(e => e)
    // Wait until pass 1 is spooling rows to the temp folder, then kill the server outright.
    const leftovers = async () => (await readdir(tmp)).filter(n => n.startsWith('cofre-restore-'))
    let spooling = false
    for (let i = 0; i < 600 && !spooling; i++) {
      for (const d of await leftovers()) if ((await readdir(join(tmp, d)).catch(() => [])).some(f => f.startsWith('table-'))) spooling = true
      if (!spooling) await new Promise(r => setTimeout(r, 50))
    }
    expect(spooling).toBe(true)
    stack.app.child.kill('SIGKILL')
    await pending
    expect((await leftovers()).length).toBe(1)

    stack.app = await startApp(stack.env)
    for (let i = 0; i < 100 && (await leftovers()).length; i++) await new Promise(r => setTimeout(r, 100))
    expect(await leftovers()).toEqual([])
    expect(stack.app.logs()).toMatch(/removed temp folders of interrupted restores/)
    const [[job]] = await until(() => conn.query<any[]>('SELECT status, attempts, safety_backup_id FROM restores WHERE user_id = ?', [u.id]), ([[r]]) => r.status !== 'running' && r.status !== 'queued', 60_000)
    expect(job).toMatchObject({ status: 'completed', attempts: 2 })
    // One safety backup, completed: the first attempt died before taking one.
    const [safety] = await conn.query<any[]>('SELECT id, status FROM backups WHERE user_id = ? AND kind = \'pre-restore\'', [u.id])
    expect(safety).toEqual([{ id: job.safety_backup_id, status: 'completed' }])

    const login = await http(stack.app.baseURL, 'POST', '/api/auth/login', { body: { email: u.email, password: u.password } })
    const again = await http(stack.app.baseURL, 'POST', '/api/restore', { token: login.body.token.accessToken, body: { backup_id: backup.body.backup_id } })
    expect(again.status).toBe(200)
    expect(await leftovers()).toEqual([])
    await conn.end()
  })
})
