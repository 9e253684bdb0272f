import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { http, newUser } from '../support/api'
import { connect, databaseName, seedLedger, waitForStatement } from '../support/data'
import { s3Client } from '../support/mutate'
import { startApp, startStack, type Stack } from '../support/stack'

describe('process killed mid-backup (kill -9), then restarted', () => {
  let stack: Stack
  beforeAll(async () => { stack = await startStack({ NUXT_S3_PART_SIZE_MB: '5' }) })
  afterAll(async () => { await stack?.stop() })

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
