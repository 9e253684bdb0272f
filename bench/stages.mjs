// `npm run bench -- …` measures whole requests; this measures the engine's stages one at a time,
// in-process, without HTTP or S3 (docs/performance.md):
//   node_modules/.bin/node bench/stages.mjs --user-id N [--database-url …] [--runs 3] [--only backup|restore]
//   … --formats: format 1 against format 2 (export, backup without upload, restore pass 1), interleaved
//   … --worst: the apply when every transaction differs, statements in turn against overlapped
// Needs a database with that user's rows (e.g. `npm run bench -- --keep-db`, or `npm run seed`).
import { execFileSync } from 'node:child_process'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'
import { clientArgs } from './lib/reference.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({
  options: {
    'user-id': { type: 'string' },
    'database-url': { type: 'string', default: process.env.COFRE_BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/cofre_bench' },
    'runs': { type: 'string', default: '3' },
    'only': { type: 'string' },
    'restore': { type: 'boolean', default: false },
    'formats': { type: 'boolean', default: false },
    'worst': { type: 'boolean', default: false },
  },
})
if (!values['user-id']) { console.error('usage: node bench/stages.mjs --user-id N [--database-url URL] [--runs 3] [--only backup|restore] [--restore]'); process.exit(1) }
const userId = Number(values['user-id'])
const runs = Number(values.runs)
const url = values['database-url']
const work = join(ROOT, '.bench', 'stages')
await mkdir(work, { recursive: true })
const out = join(work, 'entry.mjs')
await build({ entryPoints: [join(ROOT, 'bench/stages/entry.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: out, logLevel: 'warning', alias: { '#shared': join(ROOT, 'shared') } })
const e = await import(pathToFileURL(out).href)

const median = xs => [...xs].sort((a, b) => a - b)[xs.length >> 1]
async function stage(name, fn) {
  const ms = []
  let value
  for (let i = 0; i < runs; i++) { const r = await fn(); ms.push(r.ms); value = r.value }
  console.log(`${name.padEnd(58)} ${(median(ms) / 1000).toFixed(2).padStart(6)} s   (runs: ${ms.map(x => (x / 1000).toFixed(2)).join(', ')})${value !== undefined ? `  → ${JSON.stringify(value).slice(0, 200)}` : ''}`)
}

/** Runs each named job once per round, `runs` rounds, alternating (A, B, C, A, B, C, …). */
async function interleaved(jobs) {
  const ms = Object.fromEntries(Object.keys(jobs).map(k => [k, []]))
  const cpu = Object.fromEntries(Object.keys(jobs).map(k => [k, []]))
  const values = {}
  for (let i = 0; i < runs; i++) {
    for (const [name, fn] of Object.entries(jobs)) { const r = await fn(); ms[name].push(r.ms); cpu[name].push(r.cpuMs); values[name] = r.value }
  }
  const s = xs => (median(xs) / 1000).toFixed(2).padStart(6)
  for (const [name, xs] of Object.entries(ms)) console.log(`${name.padEnd(58)} ${s(xs)} s, CPU of this process ${s(cpu[name])} s   (runs: ${xs.map(x => (x / 1000).toFixed(2)).join(', ')})${values[name] !== undefined ? `  → ${JSON.stringify(values[name]).slice(0, 80)}` : ''}`)
}

const pool = e.openPool(url)
if (values.worst) {
  // The apply when every transaction differs (edited in place, untimed, before each run), with
  // and without building the next statement while the server runs the current one.
  const f = join(work, `user-${userId}-worst`)
  try {
    await e.exportCompressed(pool, userId, 2, 'zstd', f)
    await interleaved({
      'apply, every transaction different, statements in turn': () => e.applyEveryRowDifferent(pool, f, userId, false),
      'apply, every transaction different, next built meanwhile': () => e.applyEveryRowDifferent(pool, f, userId, true),
    })
  }
  finally {
    await new Promise(r => pool.end(r))
    await rm(f, { force: true })
  }
  process.exit(0)
}
if (values.formats) {
  // Format 1 (gzip, wrapped rows) against format 2 (zstd, bare rows), and each half alone.
  const files = { 1: join(work, `user-${userId}-v1.jsonl.gz`), 2: join(work, `user-${userId}-v2.jsonl.zst`) }
  try {
    await interleaved({
      'export, format-1 lines (no compression)': () => e.exportLayout(pool, userId, 1),
      'export, format-2 lines (no compression)': () => e.exportLayout(pool, userId, 2),
    })
    await interleaved({
      'backup without upload: format 1 (lines 1 + gzip -1)': () => e.exportCompressed(pool, userId, 1, 'gzip', files[1]),
      '… lines 1 + zstd -1': () => e.exportCompressed(pool, userId, 1, 'zstd'),
      '… lines 2 + gzip -1': () => e.exportCompressed(pool, userId, 2, 'gzip'),
      'backup without upload: format 2 (lines 2 + zstd -1)': () => e.exportCompressed(pool, userId, 2, 'zstd', files[2]),
    })
    await interleaved({
      'restore pass 1 (validate + spool), format 1': async () => { const r = await e.validateAndSpoolBatched(files[1], userId); return { ...r, value: undefined } },
      'restore pass 1 (validate + spool), format 2': async () => { const r = await e.validateAndSpoolBatched(files[2], userId); return { ...r, value: undefined } },
    })
  }
  finally {
    await new Promise(r => pool.end(r))
    for (const f of Object.values(files)) await rm(f, { force: true })
  }
  process.exit(0)
}
const file = join(work, `user-${userId}.jsonl.gz`)
try {
  if (values.only !== 'restore') {
    const { args, env, database } = clientArgs(url)
    await stage('reference: SELECT through the mariadb client', async () => {
      const t = performance.now()
      execFileSync('sh', ['-c', `mariadb ${args.join(' ')} ${database} -e "SELECT * FROM transactions WHERE user_id = ${userId}" > /dev/null`], { env })
      return { ms: performance.now() - t }
    })
    await stage('DB read (mysql2 rowsAsArray stream, no serialization)', () => e.dbRead(pool, userId))
    await stage('DB read + JSON lines + digest (exportUserRows)', () => e.exportOnly(pool, userId))
    await stage('… + gzip -1 + SHA-256 (no upload)', () => e.exportGzip(pool, userId, 1, file))
  }
  else await e.exportGzip(pool, userId, 1, file)
  if (values.only !== 'backup') {
    await stage('gunzip only', () => e.gunzipOnly(file))
    await stage('gunzip + line split + JSON.parse + digest (readArchive)', () => e.readOnly(file))
    await stage('… + validation (validatedRows)', () => e.validateOnly(file, userId))
    await stage('… + spool as JSON rows, a row at a time', () => e.validateAndSpool(file, userId))
    await stage('… the same in arrays of lines (pass 1 of a restore)', () => e.validateAndSpoolBatched(file, userId))
    const safety = await e.safetyBackup(pool, file, userId, runs)
    const fmt = xs => `${(median(xs) / 1000).toFixed(2).padStart(6)} s   (runs: ${xs.map(x => (x / 1000).toFixed(2)).join(', ')})`
    console.log(`${'safety backup without upload (export + gzip)'.padEnd(58)} ${fmt(safety.plain)}`)
    console.log(`${'… + comparison with the backup on the same read'.padEnd(58)} ${fmt(safety.diff)}`)
    if (values.restore) {
      await stage('restore: pass 1 + replace (data equal to the file)', async () => {
        const r = await e.restore(pool, file, userId)
        return { ms: r.validateMs + r.replaceMs, value: Object.fromEntries(Object.entries(r.stats).map(([k, v]) => [k, Math.round(v)])) }
      })
    }
  }
}
finally {
  await new Promise(r => pool.end(r))
  await rm(file, { force: true })
}
