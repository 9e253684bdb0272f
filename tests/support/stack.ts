// The test harness: each run (and each test that needs to break something) gets its own MariaDB
// database, its own fauxqs on a free port and its own production server, torn down afterwards.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import mysql from 'mysql2/promise'
import { dropDatabase, migrateDatabase } from '../../scripts/lib/database.mjs'
import { localAwsEnv, startLocalAws } from '../../scripts/lib/local-aws.mjs'
import { freePort } from '../../scripts/lib/ports.mjs'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const MYSQL_SERVER_URL = process.env.COFRE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/'
export const TEST_JWT_SECRET = 'test-only-' + randomBytes(32).toString('base64url')

export type LocalAws = Awaited<ReturnType<typeof startLocalAws>>

/** Drops test databases left behind by runs whose process no longer exists (e.g. killed CI). */
export async function dropStaleTestDatabases() {
  const conn = await mysql.createConnection({ uri: MYSQL_SERVER_URL })
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SHOW DATABASES LIKE \'cofre\\_test\\_%\'')
    for (const row of rows) {
      const name = Object.values(row)[0] as string
      const pid = Number(name.split('_')[2])
      let alive = false
      try { process.kill(pid, 0); alive = true }
      catch { alive = false }
      if (!alive) await conn.query(`DROP DATABASE IF EXISTS \`${name}\``)
    }
  }
  finally { await conn.end() }
}

export async function createTestDatabase(): Promise<string> {
  const url = `${MYSQL_SERVER_URL.replace(/\/$/, '')}/cofre_test_${process.pid}_${randomBytes(4).toString('hex')}`
  await migrateDatabase(url)
  return url
}

export interface AppProcess {
  baseURL: string
  port: number
  child: ChildProcess
  /** Everything the server printed, for assertions on logs. */
  logs: () => string
  stop: () => Promise<void>
}

/** Starts the production build (.output) with the given environment and waits until it serves. */
export async function startApp(env: Record<string, string>): Promise<AppProcess> {
  const entry = process.env.COFRE_BUILD_DIR ? `${process.env.COFRE_BUILD_DIR}/.output/server/index.mjs` : `${ROOT}.output/server/index.mjs`
  if (!existsSync(entry)) throw new Error('No production build: run `npm run build` (npm test does it first).')
  const port = await freePort()
  let output = ''
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d) => { output += d })
  child.stderr!.on('data', (d) => { output += d })
  const baseURL = `http://127.0.0.1:${port}`
  const exited = new Promise<number | null>(resolve => child.once('exit', resolve))
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`App exited with ${child.exitCode} before serving:\n${output}`)
    try {
      const res = await fetch(`${baseURL}/api/health`)
      if (res.status === 200 || res.status === 503) break
    }
    catch { /* not listening yet */ }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`App did not start within 30 s:\n${output}`) }
    await new Promise(r => setTimeout(r, 100))
  }
  return {
    baseURL,
    port,
    child,
    logs: () => output,
    stop: async () => {
      if (child.exitCode === null) { child.kill('SIGTERM'); await exited }
    },
  }
}

export interface Stack {
  databaseUrl: string
  aws: LocalAws
  app: AppProcess
  env: Record<string, string>
  stop: () => Promise<void>
}

export function appEnv(databaseUrl: string, aws: Pick<LocalAws, 'endpoint' | 'bucket' | 'topicArn' | 'jobQueueUrl'>, extra: Record<string, string> = {}) {
  return {
    NUXT_DATABASE_URL: databaseUrl,
    NUXT_JWT_SECRET: TEST_JWT_SECRET,
    ...localAwsEnv(aws),
    ...extra,
  }
}

/** A whole stack: fresh database, fresh fauxqs, production server. */
export async function startStack(extraEnv: Record<string, string> = {}): Promise<Stack> {
  const databaseUrl = await createTestDatabase()
  const aws = await startLocalAws({ port: 0 })
  const env = appEnv(databaseUrl, aws, extraEnv)
  let app: AppProcess
  try { app = await startApp(env) }
  catch (err) { await aws.stop(); await dropDatabase(databaseUrl); throw err }
  return {
    databaseUrl,
    aws,
    app,
    env,
    stop: async () => {
      await app.stop()
      await aws.stop().catch(() => {})
      await dropDatabase(databaseUrl)
    },
  }
}
