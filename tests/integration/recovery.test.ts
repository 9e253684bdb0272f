import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { http, newUser } from '../support/api'
import { connect, databaseName, seedLedger, waitForStatement } from '../support/data'
import { s3Client } from '../support/mutate'
import { startApp, startStack, type Stack } from '../support/stack'

describe('process killed mid-backup (kill -9), then restarted', () => {
  let stack: Stack
  beforeAll(async () => { stack = await startStack({ NUXT_S3_PART_SIZE_MB: '5' }) })
  // stack.stop() stops the server startStack made; the one restarted after the kill is stopped here.
  afterAll(async () => { await stack?.app.stop(); await stack?.stop() })

  it('recovers the stale running row as failed, with no object left; the next backup succeeds', async () => {
    const u = await newUser(stack.app.baseURL, 'kill9')
    const conn = await connect(stack.databaseUrl)
    await seedLedger(conn, u.id, 100_000)
    const pending = http(stack.app.baseURL, 'POST', '/api/backup', { token: u.accessToken }).catch(e => e)
    // Wait until the export is streaming (the row is `running`), then kill the server outright.
    const s3 = s3Client(stack.aws.endpoint)
    expect(await waitForStatement(conn, databaseName(stack.databaseUrl), 'SELECT %FROM `transactions`%')).toBe(true)
    stack.app.child.kill('SIGKILL')
    await pending
    const [[before]] = await conn.query<any[]>('SELECT status FROM backups WHERE user_id = ?', [u.id])
    expect(before.status).toBe('running')

    stack.app = await startApp(stack.env)
    let row: any
    for (let i = 0; i < 100; i++) {
      [[row]] = await conn.query<any[]>('SELECT status, error_code FROM backups WHERE user_id = ?', [u.id])
      if (row.status !== 'running') break
      await new Promise(r => setTimeout(r, 100))
    }
    expect(row).toMatchObject({ status: 'failed', error_code: 'INTERRUPTED' })
    // (fauxqs does not implement ListMultipartUploads, so abandoned parts cannot be observed here;
    // on AWS the recovery aborts them and the bucket's lifecycle rule is the backstop — README.)
    expect((await s3.send(new ListObjectsV2Command({ Bucket: stack.aws.bucket, Prefix: `users/${u.id}/` }))).KeyCount ?? 0).toBe(0)
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
    stack = await startStack({ TMPDIR: tmp })
  })
  afterAll(async () => {
    await stack?.app.stop()
    await stack?.stop()
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('the plaintext temp folder it left is removed at start-up; the next restore succeeds', async () => {
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

    const login = await http(stack.app.baseURL, 'POST', '/api/auth/login', { body: { email: u.email, password: u.password } })
    const again = await http(stack.app.baseURL, 'POST', '/api/restore', { token: login.body.token.accessToken, body: { backup_id: backup.body.backup_id } })
    expect(again.status).toBe(200)
    expect(await leftovers()).toEqual([])
    await conn.end()
  })
})
