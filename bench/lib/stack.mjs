// The benchmark's own stack: a production build in its own folder, a dedicated database, a
// fauxqs for S3 on a free port, and the production server started with the app's environment
// (the same idea as tests/support/stack.ts, in plain JS so `node bench/run.mjs` needs no loader).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { localAwsEnv, startLocalAws } from '../../scripts/lib/local-aws.mjs'
import { freePort } from '../../scripts/lib/ports.mjs'

/** Runs `npm run build` with COFRE_BUILD_DIR=buildDir; output goes to logFile. */
export async function build(root, buildDir, logFile) {
  await mkdir(buildDir, { recursive: true })
  const log = createWriteStream(logFile)
  const child = spawn('npm', ['run', 'build'], { cwd: root, env: { ...process.env, COFRE_BUILD_DIR: buildDir }, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.pipe(log)
  child.stderr.pipe(log)
  const code = await new Promise(resolve => child.once('exit', resolve))
  log.end()
  if (code !== 0) throw new Error(`npm run build failed (exit ${code}); see ${logFile}`)
  return serverEntry(buildDir)
}

export const serverEntry = buildDir => join(buildDir, '.output', 'server', 'index.mjs')

export async function startAws(dataDir) {
  await mkdir(dataDir, { recursive: true })
  return startLocalAws({ port: 0, dataDir })
}

/**
 * Starts the production server; resolves once /api/health answers.
 * @param {{ entry: string, databaseUrl: string, aws: any, logFile: string, nodeArgs?: string[], env?: Record<string,string> }} o
 */
export async function startServer(o) {
  if (!existsSync(o.entry)) throw new Error(`No production build at ${o.entry}: run without --no-build`)
  const port = await freePort()
  const log = createWriteStream(o.logFile, { flags: 'a' })
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    NUXT_DATABASE_URL: o.databaseUrl,
    NUXT_JWT_SECRET: `bench-${randomBytes(32).toString('base64url')}`,
    NUXT_BACKUPS_RATE_LIMIT: '100000',
    NUXT_RESTORES_RATE_LIMIT: '100000',
    // Setup signs in every bench user from this one address, run after run (the counters live in
    // the bench database): above the per-IP sign-in limit, which is not what the bench measures
    // (auth-limits.test.ts tests it at its default).
    COFRE_LOGIN_LIMIT_IP: '1000000',
    // The bench times whole jobs through the seed's contract (201/200 once done): the request
    // waits for its job however long it takes, instead of answering 202 after 10 s.
    NUXT_QUEUE_WAIT_BUDGET_MS: '3600000',
    COFRE_STAGE_TIMINGS: '1',
    ...localAwsEnv(o.aws),
    ...o.env,
  }
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), o.entry], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.pipe(log)
  child.stderr.pipe(log)
  // COFRE_STAGE_TIMINGS=1: the engine prints `cofre-stages {json}` per finished job (server/engine/stages.ts).
  const stages = []
  let partial = ''
  child.stderr.on('data', (d) => {
    const lines = (partial + d).split('\n')
    partial = lines.pop()
    for (const line of lines) if (line.startsWith('cofre-stages ')) { try { stages.push(JSON.parse(line.slice(13))) } catch { /* not ours */ } }
  })
  const exited = new Promise(resolve => child.once('exit', resolve))
  const baseURL = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before serving; see ${o.logFile}`)
    try {
      const res = await fetch(`${baseURL}/api/health`)
      if (res.status === 200) break
    }
    catch { /* not listening yet */ }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`server did not become healthy within 60 s; see ${o.logFile}`) }
    await new Promise(r => setTimeout(r, 100))
  }
  return {
    baseURL,
    pid: child.pid,
    child,
    /** Stage timings printed by the engine since start (newest last). */
    stages,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) { child.kill('SIGTERM'); await exited }
      log.end()
    },
  }
}

/** JSON over HTTP against the server. */
export async function api(baseURL, method, path, { token, body, headers = {} } = {}) {
  const h = { ...headers }
  if (token) h.authorization = `Bearer ${token}`
  if (body !== undefined) h['content-type'] = 'application/json'
  const res = await fetch(baseURL + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' })
  const text = await res.text()
  let parsed = text
  try { parsed = text ? JSON.parse(text) : undefined }
  catch { /* not JSON */ }
  return { status: res.status, body: parsed }
}

export async function login(baseURL, email, password) {
  const res = await api(baseURL, 'POST', '/api/auth/login', { body: { email, password } })
  if (res.status !== 200 || !res.body?.token?.accessToken) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.token.accessToken
}
