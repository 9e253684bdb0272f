// `npm run bench [-- --smoke] [--no-build] [--runs 3] [--keep-db] [--reuse-db] [--cpu-prof] [--skip-load]`
//
// Backup and restore of one user's ledger through the real production server (fauxqs as S3),
// against mariadb-dump | gzip -1 and the mariadb client on the same rows; server memory; and
// GET /api/backups and SSR /backups under load. Prints a markdown table with PASS/MISS per target
// and writes bench/results/<date>.{json,md} (smoke runs write under .bench/results/).
//
// Exit status: 0 whether targets PASS or MISS; non-zero only when something is BROKEN (a request
// failed, a restore brought back other rows than the backup's, the server died, ...).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import mysql from 'mysql2/promise'
import { dropDatabase, migrateDatabase, redactUrl } from '../scripts/lib/database.mjs'
import { seedUser } from '../scripts/lib/seed.mjs'
import { load } from './lib/load.mjs'
import { cpuPerPage, pageWeight, SSR_PAGES } from './lib/pages.mjs'
import { evaluate, markdown, median, summarizePoint } from './lib/report.mjs'
import { fingerprint, gunzipTo, referenceBackup, referenceRestore, serverVersion } from './lib/reference.mjs'
import { idleRss, toMB, withRss } from './lib/rss.mjs'
import { api, build, login, serverEntry, startAws, startServer } from './lib/stack.mjs'
import { jobsPerMinute, queueOverhead } from './lib/jobs.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const { values: args } = parseArgs({
  options: {
    'smoke': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'runs': { type: 'string' },
    'points': { type: 'string' },
    'others': { type: 'string' },
    'load-seconds': { type: 'string' },
    'connections': { type: 'string', default: '50' },
    'database-url': { type: 'string' },
    'keep-db': { type: 'boolean', default: false },
    'reuse-db': { type: 'boolean', default: false },
    'skip-load': { type: 'boolean', default: false },
    'skip-reference': { type: 'boolean', default: false },
    'skip-worst': { type: 'boolean', default: false },
    'skip-partial': { type: 'boolean', default: false },
    'skip-jobs': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'only-load': { type: 'boolean', default: false },
    'baseline-build': { type: 'string' },
    'name': { type: 'string' },
    'help': { type: 'boolean', short: 'h', default: false },
  },
})
if (args.help) {
  console.log(`Usage: npm run bench -- [options]
  --smoke            10k rows, 2 small other users, 1 run each, 3 s of load (for CI)
  --no-build         reuse the build in .bench/build
  --runs N           runs per measurement (default 3; smoke 1)
  --points a,b       transaction counts of the measured users (default 100000,1000000)
  --others U:N       other users and their transactions (default 99:10000)
  --load-seconds S   duration of each load test (default 20)
  --connections C    concurrent connections of the load tests (default 50)
  --database-url U   server + database to use (default mysql://root@127.0.0.1:3306/cofre_bench[_smoke]); dropped first
  --reuse-db         keep an existing bench database (seeding is skipped per user when counts match)
  --keep-db          do not drop the database at the end
  --skip-load        no load tests;  --skip-reference  no mariadb-dump/mariadb reference
  --skip-worst       no restore over entirely different data
  --skip-partial     no restore over data with 1% of the rows changed
  --skip-jobs        no queue overhead / jobs-per-minute measurements
  --cpu-prof         run the server with --cpu-prof (profiles in .bench/prof/)
  --only-load        only the load tests (API and SSR pages): seeds only their user; no
                     backups, restores or job measurements
  --baseline-build D also load the SSR pages from another build (e.g. of main, built with
                     COFRE_BUILD_DIR=D npm run build), interleaved, for the "x today's" ratios
  --name SUFFIX      write bench/results/<date>-SUFFIX.{json,md} (parallel work does not overwrite another's results)`)
  process.exit(0)
}

if (args.name && !/^[a-z0-9-]+$/i.test(args.name)) {
  console.error('--name: letters, digits and dashes only')
  process.exit(2)
}
const smoke = args.smoke
const cfg = {
  mode: smoke ? 'smoke' : args['only-load'] ? 'load-only' : 'full',
  runs: Number(args.runs ?? (smoke ? 1 : 3)),
  points: (args.points ?? (smoke ? '10000' : '100000,1000000')).split(',').map(s => Number(s.replace(/_/g, ''))).sort((a, b) => a - b),
  others: (([u, n]) => ({ users: Number(u), transactions: Number(n) }))((args.others ?? (smoke ? '2:1000' : '99:10000')).split(':')),
  loadSeconds: Number(args['load-seconds'] ?? (smoke ? 3 : 20)),
  /** Rounds of 100 sequential requests per page and build for the CPU-per-page figure (median). */
  cpuRounds: smoke ? 1 : 5,
  connections: Number(args.connections),
  databaseUrl: args['database-url'] ?? process.env.COFRE_BENCH_DATABASE_URL ?? `mysql://root@127.0.0.1:3306/cofre_bench${smoke ? '_smoke' : ''}`,
}
const TABLES = ['accounts', 'categories', 'transactions', 'preferences']
const PASSWORD = 'bench-password-2026'
const BENCH_DIR = join(ROOT, '.bench')
const WORK = join(BENCH_DIR, `run-${process.pid}`)
const started = performance.now()
const broken = []
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s`
const log = msg => console.log(`[${elapsed()}] ${msg}`)
const fail = (msg) => { broken.push(msg); console.log(`[${elapsed()}] ✖ BROKEN: ${msg}`) }
const emailOf = n => `bench-${n}@bench.cofre`

function gitInfo() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'server', 'bench', 'nuxt.config.ts'], { cwd: ROOT, encoding: 'utf8' }).trim() !== ''
    return { commit, dirty }
  }
  catch { return { commit: 'unknown', dirty: false } }
}

async function poolMap(items, concurrency, fn) {
  const out = []
  let next = 0
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) { const i = next++; out[i] = await fn(items[i], i) }
  }))
  return out
}

async function seed() {
  const t = performance.now()
  if (!args['reuse-db']) await dropDatabase(cfg.databaseUrl)
  await migrateDatabase(cfg.databaseUrl)
  // The per-user job lock is a server-wide GET_LOCK named by user id, so bench users must not
  // share ids with users of other databases on the same MariaDB (tests running meanwhile):
  // start the bench's ids far away from theirs.
  const conn = await mysql.createConnection({ uri: cfg.databaseUrl })
  try {
    const [[{ n }]] = await conn.query('SELECT COUNT(*) AS n FROM users')
    if (Number(n) === 0) await conn.query(`ALTER TABLE users AUTO_INCREMENT = ${smoke ? 8_000_000 : 7_000_000}`)
  }
  finally { await conn.end() }
  const one = async (email, transactions, s) => {
    // Two seeds at once may deadlock on the users table's gap locks: retry, it's one transaction.
    for (let attempt = 1; ; attempt++) {
      try { return await seedUser({ url: cfg.databaseUrl, email, password: PASSWORD, name: 'Bench', transactions, seed: s }) }
      catch (err) { if (err.code !== 'ER_LOCK_DEADLOCK' || attempt >= 5) throw err }
    }
  }
  const users = {}
  // The measured users first (their rows are contiguous, as after an import), then the others.
  for (const n of cfg.points) users[n] = await one(emailOf(n), n, n)
  users.api = await one(emailOf('api'), 1000, 7)
  if (args['only-load']) {
    log(`seeded the load tests' user (1,000 transactions) in ${((performance.now() - t) / 1000).toFixed(1)} s`)
    return { users, totalTransactions: 1000, seconds: (performance.now() - t) / 1000 }
  }
  await poolMap(Array.from({ length: cfg.others.users }, (_, i) => i), 2, i => one(emailOf(`other-${i + 1}`), cfg.others.transactions, 1000 + i))
  const totalTransactions = cfg.points.reduce((a, n) => a + n, 0) + 1000 + cfg.others.users * cfg.others.transactions
  log(`seeded ${totalTransactions.toLocaleString('en')} transactions for ${cfg.points.length + 1 + cfg.others.users} users in ${((performance.now() - t) / 1000).toFixed(1)} s`)
  return { users, totalTransactions, seconds: (performance.now() - t) / 1000 }
}

const sameFingerprint = (a, b) => JSON.stringify(a) === JSON.stringify(b)

/**
 * Other people's test suites share this MariaDB and KILL queries they match by text (e.g. any
 * `SELECT … FROM \`transactions\``), which can hit the bench's own statements. A measurement
 * that fails that way — HTTP 500 DATABASE_ERROR, or a client "lost connection" — is run again
 * (counted in `retries`); anything else, or a third failure, is BROKEN.
 */
class Interrupted extends Error {}
const MAX_ATTEMPTS = 3
const retries = []
const looksKilled = msg => /Lost connection|server has gone away|Error 2013|Error 2006|Connection was killed|Query execution was interrupted|\b1927\b|\b1317\b/i.test(msg)

async function measured(label, fn) {
  for (let attempt = 1; ; attempt++) {
    try { return await fn() }
    catch (err) {
      const retryable = err instanceof Interrupted || looksKilled(err.message)
      if (!retryable || attempt >= MAX_ATTEMPTS) { fail(`${label}: ${err.message}`); return null }
      retries.push({ label, attempt, error: err.message.slice(0, 300) })
      log(`⟳ ${label} interrupted (${err.message.slice(0, 120)}) — running it again`)
    }
  }
}

function httpFailure(what, res) {
  const msg = `${what}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`
  return res.status === 500 && res.body?.data?.code === 'DATABASE_ERROR' ? new Interrupted(msg) : new Error(msg)
}

/**
 * One job request (POST /api/backup or /api/restore) as the bench measures it: wall time of the
 * request alone (the RSS watcher samples the idle before starting the clock), the server's RSS
 * growth, and the engine's stage timings for it.
 */
async function jobRequest(server, job, token, body) {
  const m = await withRss(server.pid, async () => {
    const t = performance.now()
    const res = await api(server.baseURL, 'POST', `/api/${job}`, { token, body })
    return { res, seconds: (performance.now() - t) / 1000 }
  }, { baseline: server.idleRss })
  await new Promise(r => setTimeout(r, 50)) // let the engine's stage line arrive
  return { ...m.value, stages: server.stages.findLast(x => x.job === job) ?? null, rss: { ...m, value: undefined } }
}

/** Changes 1% of the user's transactions (every id divisible by 100), as a few weeks of edits would. */
async function changeOnePercent(databaseUrl, userId) {
  const conn = await mysql.createConnection({ uri: databaseUrl })
  try { await conn.query('UPDATE transactions SET description = CONCAT(LEFT(description, 240), \' (edited)\') WHERE user_id = ? AND MOD(id, 100) = 0', [userId]) }
  finally { await conn.end() }
}

async function measurePoint(server, n, user) {
  const expected = await fingerprint(cfg.databaseUrl, user.userId, TABLES)
  const point = { rows: n, userId: user.userId, expected, backup: { runs: [] }, restore: { runs: [] }, reference: { backup: [], restore: [] } }
  const email = emailOf(n)
  const N = n.toLocaleString('en')
  const rssText = m => `RSS +${toMB(m.growth)} MB (idle ${toMB(m.idle)}, peak ${toMB(m.peak)})`

  // 1. Backups, alternating ours and the reference (so both see the same machine load), `runs` times each.
  const dumpGz = join(WORK, `ref-${n}.sql.gz`)
  const dumpSql = join(WORK, `ref-${n}.sql`)
  let token = await login(server.baseURL, email, PASSWORD)
  for (let i = 0; i < cfg.runs; i++) {
    const run = await measured(`backup of ${N} rows`, async () => {
      const { res, seconds, stages, rss } = await jobRequest(server, 'backup', token)
      if (res.status !== 201) throw httpFailure(`backup of ${N} rows`, res)
      if (res.body.row_counts?.transactions !== n) fail(`backup of ${N} rows counted ${res.body.row_counts?.transactions} transactions`)
      return { seconds, backupId: res.body.backup_id, sizeBytes: res.body.size_bytes, stages, rss }
    })
    if (run) {
      point.backup.runs.push(run)
      log(`backup ${N}: ${run.seconds.toFixed(2)} s, ${toMB(run.sizeBytes)} MB, ${rssText(run.rss)}${run.stages ? ` — engine: rows read+serialized ${run.stages.exportMs} ms, until uploaded ${run.stages.totalMs} ms` : ''}`)
    }
    if (!args['skip-reference']) {
      const r = await measured(`reference backup of ${N} rows`, () => referenceBackup(cfg.databaseUrl, user.userId, TABLES, dumpGz))
      if (!r) continue
      point.reference.backup.push(r)
      log(`reference backup ${N}: ${r.seconds.toFixed(2)} s, ${toMB(r.sizeBytes)} MB`)
    }
  }
  if (point.reference.backup.length) await gunzipTo(dumpGz, dumpSql)

  // 2. Restores, alternating ours (of the first backup) and the reference (of the dump): both
  // bring back the same rows, so every run starts from the same data. Each is checked.
  const source = point.backup.runs[0]?.backupId
  if (!source) { fail(`no backup of ${N} rows to restore`); return point }
  for (let i = 0; i < cfg.runs; i++) {
    token = await login(server.baseURL, email, PASSWORD)
    const run = await measured(`restore of ${N} rows`, async () => {
      const { res, seconds, stages, rss } = await jobRequest(server, 'restore', token, { backup_id: source })
      if (res.status !== 200) throw httpFailure(`restore of ${N} rows`, res)
      if (res.body.restored?.transactions !== n) fail(`restore of ${N} rows reported ${res.body.restored?.transactions} transactions`)
      const safety = await api(server.baseURL, 'GET', `/api/backups/${res.body.safety_backup_id}`, { token })
      const safetySeconds = safety.status === 200 && safety.body.completed_at ? (Date.parse(safety.body.completed_at) - Date.parse(safety.body.created_at)) / 1000 : Number.NaN
      if (!Number.isFinite(safetySeconds)) fail(`restore of ${N} rows: safety backup ${res.body.safety_backup_id} not found/completed (${safety.status})`)
      return { seconds, safetySeconds, stages, rss }
    })
    const after = await fingerprint(cfg.databaseUrl, user.userId, TABLES)
    if (!sameFingerprint(after, expected)) fail(`restore of ${N} rows left other data than the backup's: ${JSON.stringify(after)} ≠ ${JSON.stringify(expected)}`)
    if (run) {
      point.restore.runs.push(run)
      log(`restore ${N}: ${run.seconds.toFixed(2)} s (safety backup ${run.safetySeconds.toFixed(2)} s → ${(run.seconds - run.safetySeconds).toFixed(2)} s without), ${rssText(run.rss)}`)
      if (run.stages) log(`  stages (ms): ${Object.entries(run.stages).filter(([k]) => k !== 'job').map(([k, v]) => `${k} ${v}`).join(', ')}`)
    }

    if (!args['skip-reference'] && existsSync(dumpSql)) {
      const r = await measured(`reference restore of ${N} rows`, async () => {
        const x = await referenceRestore(cfg.databaseUrl, user.userId, TABLES, dumpSql)
        const check = await fingerprint(cfg.databaseUrl, user.userId, TABLES)
        if (!sameFingerprint(check, expected)) throw new Error('the reference restore left other data than the dump\'s')
        return x
      })
      if (!r) continue
      point.reference.restore.push(r)
      log(`reference restore ${N}: ${r.seconds.toFixed(2)} s (delete ${r.deleteSeconds.toFixed(2)} s + import ${r.importSeconds.toFixed(2)} s)`)
    }
  }
  await rm(dumpSql, { force: true })

  // 3. The common case of a real restore: 1% of the rows changed since the backup. Measured as the
  // user waits for it, safety backup included, `runs` times (each run changes the same rows again).
  if (!args['skip-partial']) {
    point.partialRestore = { runs: [] }
    for (let i = 0; i < cfg.runs; i++) {
      await changeOnePercent(cfg.databaseUrl, user.userId)
      token = await login(server.baseURL, email, PASSWORD)
      const run = await measured(`restore of ${N} rows, 1% different`, async () => {
        const { res, seconds, stages, rss } = await jobRequest(server, 'restore', token, { backup_id: source })
        if (res.status !== 200) throw httpFailure(`restore of ${N} rows, 1% different`, res)
        const safety = await api(server.baseURL, 'GET', `/api/backups/${res.body.safety_backup_id}`, { token })
        const safetySeconds = safety.status === 200 && safety.body.completed_at ? (Date.parse(safety.body.completed_at) - Date.parse(safety.body.created_at)) / 1000 : Number.NaN
        return { seconds, safetySeconds, stages, rss }
      })
      const after = await fingerprint(cfg.databaseUrl, user.userId, TABLES)
      if (!sameFingerprint(after, expected)) fail(`restore of ${N} rows, 1% different, left other data than the backup's`)
      if (run) {
        point.partialRestore.runs.push(run)
        log(`restore ${N}, 1% different: ${run.seconds.toFixed(2)} s in all (safety backup ${run.safetySeconds.toFixed(2)} s), ${rssText(run.rss)}`)
        if (run.stages) log(`  stages (ms): ${Object.entries(run.stages).filter(([k]) => k !== 'job').map(([k, v]) => `${k} ${v}`).join(', ')}`)
      }
    }
  }

  // 4. The worst case for a restore, once: every row differs. The user's ledger is generated
  // again (new ids, one more transaction), then the first backup is restored over it.
  if (!args['skip-worst']) {
    await seedUser({ url: cfg.databaseUrl, email, password: PASSWORD, name: 'Bench', transactions: n + 1, seed: n + 1 })
    token = await login(server.baseURL, email, PASSWORD)
    const run = await measured(`restore of ${N} rows over entirely different data`, async () => {
      const { res, seconds, stages, rss } = await jobRequest(server, 'restore', token, { backup_id: source })
      if (res.status !== 200) throw httpFailure(`restore of ${N} rows over different data`, res)
      const safety = await api(server.baseURL, 'GET', `/api/backups/${res.body.safety_backup_id}`, { token })
      const safetySeconds = safety.status === 200 && safety.body.completed_at ? (Date.parse(safety.body.completed_at) - Date.parse(safety.body.created_at)) / 1000 : Number.NaN
      return { seconds, safetySeconds, stages, rss }
    })
    const after = await fingerprint(cfg.databaseUrl, user.userId, TABLES)
    if (!sameFingerprint(after, expected)) fail(`restore of ${N} rows over different data left other data than the backup's`)
    if (run) {
      point.worstRestore = run
      log(`restore ${N} over entirely different data: ${run.seconds.toFixed(2)} s (safety backup ${run.safetySeconds.toFixed(2)} s → ${(run.seconds - run.safetySeconds).toFixed(2)} s without), ${rssText(run.rss)}`)
      if (run.stages) log(`  stages (ms): ${Object.entries(run.stages).filter(([k]) => k !== 'job').map(([k, v]) => `${k} ${v}`).join(', ')}`)
    }
  }
  return point
}

async function loadTests(server, baseline) {
  const token = await login(server.baseURL, emailOf('api'), PASSWORD)
  // A handful of backups in the list, as a user has after some weeks.
  const have = await api(server.baseURL, 'GET', '/api/backups', { token })
  for (let i = have.body.items.length; i < 5; i++) {
    const r = await api(server.baseURL, 'POST', '/api/backup', { token })
    if (r.status !== 201) fail(`backup for the load test: HTTP ${r.status}`)
  }
  const ssrCheck = await fetch(`${server.baseURL}/backups`, { headers: { cookie: `cofre.access=${token}` }, redirect: 'manual' })
  if (ssrCheck.status !== 200) fail(`SSR /backups with the access cookie: HTTP ${ssrCheck.status} (expected 200)`)
  await ssrCheck.text()
  const out = { pages: {} }
  const baseToken = baseline ? await login(baseline.baseURL, emailOf('api'), PASSWORD) : null
  const run = async (s, path, headers, label) => {
    await load({ url: s.baseURL + path, connections: 5, durationSeconds: 1, headers }) // warm-up
    const r = await load({ url: s.baseURL + path, connections: cfg.connections, durationSeconds: cfg.loadSeconds, headers })
    log(`load ${label}${path}: ${r.rps} req/s, p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`)
    if (r.non2xx || r.errors || r.timeouts || !r.requests) fail(`load ${label}${path}: ${r.non2xx} non-2xx (${JSON.stringify(r.statuses)}), ${r.errors} errors, ${r.timeouts} timeouts`)
    return r
  }
  out.api = await run(server, '/api/backups', { authorization: `Bearer ${token}` }, '')
  // The SSR pages, signed in (the access cookie, as a browser sends it): what each page ships, the
  // server's CPU per page one request at a time, and pages/s under load. With a baseline build,
  // its server loads the same page right after ours (same data, same minutes).
  // CPU per page moves ±10 % between rounds of 100 requests: CPU_ROUNDS rounds, alternating the
  // builds, and the median of each build's rounds is reported (the rounds are kept in the JSON).
  const servers = [['ours', server, token], ...(baseline ? [['baseline', baseline, baseToken]] : [])]
  for (const path of SSR_PAGES) {
    const page = {}
    const rounds = Object.fromEntries(servers.map(([key]) => [key, []]))
    for (let i = 0; i < cfg.cpuRounds; i++) {
      for (const [key, s, tk] of servers) rounds[key].push((await cpuPerPage({ baseURL: s.baseURL, pid: s.pid, path, headers: { cookie: `cofre.access=${tk}` }, count: 100 })).cpuMsPerPage)
    }
    for (const [key, s, tk] of servers) {
      const headers = { cookie: `cofre.access=${tk}` }
      const weight = await pageWeight(s.baseURL, path, headers)
      const cpuMsPerPage = median(rounds[key])
      log(`${key} ${path}: server CPU ${cpuMsPerPage.toFixed(1)} ms/page (median of ${rounds[key].map(ms => ms.toFixed(1)).join(', ')}); HTML ${weight.html.raw} B (gzip ${weight.html.gzip}), JS ${weight.js.raw} B (gzip ${weight.js.gzip}) in ${weight.js.files} files, CSS ${weight.css.raw} B`)
      page[key] = { weight, cpuMsPerPage, cpuRoundsMs: rounds[key], load: await run(s, path, headers, key === 'baseline' ? 'baseline ' : '') }
    }
    out.pages[path] = page
  }
  out.ssr = out.pages['/backups'].ours.load
  return out
}

async function main() {
  await mkdir(WORK, { recursive: true })
  log(`Cofre bench (${cfg.mode}): points ${cfg.points.join(', ')}, ${cfg.others.users}×${cfg.others.transactions} other, ${cfg.runs} run(s), load ${cfg.connections} conn × ${cfg.loadSeconds} s, database ${redactUrl(cfg.databaseUrl)}`)
  const buildDir = join(BENCH_DIR, 'build')
  let entry = serverEntry(buildDir)
  if (!args['no-build']) {
    log('building into .bench/build …')
    entry = await build(ROOT, buildDir, join(BENCH_DIR, 'build.log'))
  }
  if (!existsSync(entry)) throw new Error(`No build at ${entry}: run without --no-build`)

  const seeded = await seed()
  const database = await serverVersion(cfg.databaseUrl)
  const aws = await startAws(join(WORK, 'aws'))
  const profDir = join(BENCH_DIR, 'prof')
  if (args['cpu-prof']) await mkdir(profDir, { recursive: true })
  const cleanUp = async () => {
    await aws.stop().catch(() => {})
    await rm(WORK, { recursive: true, force: true })
    if (!args['keep-db'] && !args['reuse-db']) await dropDatabase(cfg.databaseUrl).catch(() => {})
  }
  /** A fresh production server, warmed up (the first requests load lazily imported code). */
  const startWarm = async (serverFile = entry) => {
    const s = await startServer({
      entry: serverFile,
      databaseUrl: cfg.databaseUrl,
      aws,
      logFile: join(BENCH_DIR, `server-${cfg.mode}.log`),
      nodeArgs: args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
    })
    try {
      const warm = await login(s.baseURL, emailOf('api'), PASSWORD)
      await api(s.baseURL, 'GET', '/api/backups', { token: warm })
      await (await fetch(`${s.baseURL}/backups`, { headers: { cookie: `cofre.access=${warm}` } })).text()
      const w = await api(s.baseURL, 'POST', '/api/backup', { token: warm })
      if (w.status !== 201) fail(`warm-up backup: HTTP ${w.status} ${JSON.stringify(w.body)}`)
      s.idleRss = await idleRss(s.pid)
      log(`server up (pid ${s.pid}), idle RSS ${toMB(s.idleRss)} MB`)
      return s
    }
    catch (err) { await s.stop(); throw err }
  }
  const stopServer = async (s) => {
    if (s.child.exitCode !== null && s.child.exitCode !== 0) fail(`server exited with ${s.child.exitCode}`)
    await s.stop()
  }
  const results = {
    date: new Date().toISOString().slice(0, 10),
    startedAt: new Date().toISOString(),
    mode: cfg.mode,
    runs: cfg.runs,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryBytes: os.totalmem(), node: process.version, database },
    git: gitInfo(),
    seed: { others: cfg.others, totalTransactions: seeded.totalTransactions, seconds: seeded.seconds },
    points: {},
    broken,
    retries,
  }
  let server
  try {
    // Load first: after the big restores MariaDB purges a million deleted rows for minutes, which
    // would be measured as API latency. Then a fresh server for the jobs: 20 s of 50 SSR
    // connections leave a heap of ~900 MB that V8 has no reason to shrink, and a backup measured
    // inside that slack would show no RSS growth at all.
    if (!args['skip-load']) {
      server = await startWarm()
      const baseline = args['baseline-build'] ? await startWarm(serverEntry(resolve(args['baseline-build']))) : null
      try { results.load = await loadTests(server, baseline) }
      finally { if (baseline) await stopServer(baseline) }
      results.load.rssAfter = await idleRss(server.pid)
      log(`server RSS after the load tests: ${toMB(results.load.rssAfter)} MB`)
      await stopServer(server)
      server = undefined
    }
    if (!args['only-load']) {
      server = await startWarm()
      results.idleRss = server.idleRss
      for (const n of cfg.points) results.points[n] = await measurePoint(server, n, seeded.users[n])
      await stopServer(server)
      server = undefined
      if (!args['skip-jobs']) {
        const common = { entry, databaseUrl: cfg.databaseUrl, aws, logDir: BENCH_DIR, password: PASSWORD }
        log('jobs: queue overhead (queued vs direct, alternating) …')
        results.jobs = { overhead: await queueOverhead({ ...common, email: emailOf('api'), runs: smoke ? 5 : 30 }) }
        log(`jobs: backups of ${cfg.others.users + 1} users with 1, then 2 worker processes …`)
        results.jobs.throughput = await measured('jobs per minute', () => jobsPerMinute({ ...common, emails: [emailOf('api'), ...Array.from({ length: cfg.others.users }, (_, i) => emailOf(`other-${i + 1}`))] }))
      }
    }
  }
  catch (err) {
    fail(`${err.message}`)
  }
  finally {
    if (server) await stopServer(server)
    await cleanUp()
  }

  results.durationSeconds = (performance.now() - started) / 1000
  const complete = Object.values(results.points).filter(p => p.backup.runs.length && p.restore.runs.length && (args['skip-reference'] || (p.reference.backup.length && p.reference.restore.length)))
  results.summary = Object.fromEntries(complete.map(p => [p.rows, summarizePoint(p)]))
  results.targets = evaluate({ points: results.summary, load: results.load, jobs: results.jobs })
  const md = markdown(results)
  const outDir = smoke ? join(BENCH_DIR, 'results') : join(ROOT, 'bench', 'results')
  await mkdir(outDir, { recursive: true })
  // A named or load-only run (parallel work) must not overwrite the full run of the same day.
  const suffix = args.name ?? (args['only-load'] ? 'load' : '')
  const base = join(outDir, suffix ? `${results.date}-${suffix}` : results.date)
  await writeFile(`${base}.json`, JSON.stringify(results, null, 2) + '\n')
  await writeFile(`${base}.md`, md)
  console.log(`\n${md}`)
  for (const t of results.targets) console.log(`${t.pass ? 'PASS' : 'MISS'}  ${t.name}: ${t.measured} (${t.limit})`)
  if (args['cpu-prof'] && existsSync(profDir)) console.log(`\nCPU profiles: ${(await readdir(profDir)).map(f => join(profDir, f)).join(', ')}`)
  console.log(`\nResults: ${resolve(base)}.json / .md — ${Math.round(results.durationSeconds)} s`)
  if (broken.length) {
    console.log(`\n✖ BROKEN (${broken.length}):\n${broken.map(b => `  - ${b}`).join('\n')}`)
    process.exitCode = 1
  }
}

main().catch((err) => {
  console.error(`✖ bench failed: ${err.stack ?? err.message}`)
  process.exitCode = 1
})
