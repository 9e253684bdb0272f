// `node_modules/.bin/node bench/ssr.mjs --build .bench/build [--build .bench/baseline] [options]`
//
// SSR pages only, for before/after comparisons in the same minutes: each build's production
// server is started in turn (one at a time, so they never compete) against one small database
// (the bench's API user: 1,000 transactions, 5 backups), and per page it measures the bytes
// shipped, the server's CPU per page (sequential requests) and, with --load-seconds, pages/s
// under `--connections` connections. Rounds alternate the builds (A, B, A, B, …).
import { mkdir, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { dropDatabase, migrateDatabase, redactUrl } from '../scripts/lib/database.mjs'
import { seedUser } from '../scripts/lib/seed.mjs'
import { load } from './lib/load.mjs'
import { cpuPerPage, pageWeight, SSR_PAGES } from './lib/pages.mjs'
import { api, login, serverEntry, startAws, startServer } from './lib/stack.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const { values: args } = parseArgs({
  options: {
    'build': { type: 'string', multiple: true },
    'database-url': { type: 'string', default: 'mysql://root@127.0.0.1:3306/cofre_bench_ssr' },
    'pages': { type: 'string', default: SSR_PAGES.join(',') },
    'count': { type: 'string', default: '200' },
    'rounds': { type: 'string', default: '2' },
    'load-seconds': { type: 'string', default: '0' },
    'connections': { type: 'string', default: '50' },
    'cpu-prof': { type: 'boolean', default: false },
    'node-arg': { type: 'string', multiple: true },
    'keep-db': { type: 'boolean', default: false },
  },
})
const builds = (args.build ?? [join(ROOT, '.bench', 'build')]).map(b => resolve(b))
const pages = args.pages.split(',')
const PASSWORD = 'bench-password-2026'
const EMAIL = 'bench-api@bench.cofre'
const WORK = join(ROOT, '.bench', `ssr-${process.pid}`)

await mkdir(WORK, { recursive: true })
console.log(`SSR A/B: ${builds.join(' vs ')}; database ${redactUrl(args['database-url'])}`)
await dropDatabase(args['database-url'])
await migrateDatabase(args['database-url'])
await seedUser({ url: args['database-url'], email: EMAIL, password: PASSWORD, name: 'Bench', transactions: 1000, seed: 7 })
const aws = await startAws(join(WORK, 'aws'))
const results = Object.fromEntries(builds.map(b => [b, []]))
try {
  for (let round = 0; round < Number(args.rounds); round++) {
    for (const build of builds) {
      const server = await startServer({
        entry: serverEntry(build),
        databaseUrl: args['database-url'],
        aws,
        logFile: join(ROOT, '.bench', 'server-ssr.log'),
        nodeArgs: [...(args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, '.bench', 'prof')}`] : []), ...(args['node-arg'] ?? [])],
      })
      try {
        const token = await login(server.baseURL, EMAIL, PASSWORD)
        const have = await api(server.baseURL, 'GET', '/api/backups', { token })
        for (let i = have.body.items.length; i < 5; i++) await api(server.baseURL, 'POST', '/api/backup', { token })
        const headers = { cookie: `cofre.access=${token}` }
        for (const path of pages) {
          const w = round === 0 ? await pageWeight(server.baseURL, path, headers) : null
          const c = await cpuPerPage({ baseURL: server.baseURL, pid: server.pid, path, headers, count: Number(args.count) })
          let l = null
          if (Number(args['load-seconds']) > 0) {
            await load({ url: server.baseURL + path, connections: 5, durationSeconds: 1, headers })
            l = await load({ url: server.baseURL + path, connections: Number(args.connections), durationSeconds: Number(args['load-seconds']), headers })
          }
          results[build].push({ round, path, weight: w, cpu: c, load: l })
          console.log(`${build.replace(ROOT, '')} r${round} ${path.padEnd(14)} cpu ${c.cpuMsPerPage.toFixed(2)} ms/page, wall ${c.wallMsPerPage.toFixed(2)} ms`
            + (w ? ` · HTML ${w.html.raw} B (gz ${w.html.gzip}) · JS ${w.js.files} files ${w.js.raw} B (gz ${w.js.gzip}) · CSS ${w.css.raw} B (gz ${w.css.gzip})` : '')
            + (l ? ` · load ${l.rps} pages/s p50 ${l.p50} p95 ${l.p95} ms non2xx ${l.non2xx}` : ''))
        }
      }
      finally { await server.stop() }
    }
  }
}
finally {
  const median = (xs) => { const a = xs.filter(Number.isFinite).sort((x, y) => x - y); return a.length ? (a.length % 2 ? a[a.length >> 1] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2) : Number.NaN }
  console.log(`\nMedian over rounds (server CPU ms/page${Number(args['load-seconds']) > 0 ? '; pages/s, p95 ms under load' : ''}; bytes of round 0: HTML raw/gzip, JS raw/gzip):`)
  for (const path of pages) {
    for (const build of builds) {
      const rows = results[build].filter(r => r.path === path)
      if (!rows.length) continue
      const w = rows.find(r => r.weight)?.weight
      const l = rows.filter(r => r.load)
      console.log(`| ${path} | ${build.replace(ROOT, '')} | ${median(rows.map(r => r.cpu.cpuMsPerPage)).toFixed(1)} | ${l.length ? `${median(l.map(r => r.load.rps)).toFixed(0)} | ${median(l.map(r => r.load.p95)).toFixed(0)} | ` : ''}${w ? `${w.html.raw} / ${w.html.gzip} | ${w.js.raw} / ${w.js.gzip}` : ''} |`)
    }
  }
  await aws.stop().catch(() => {})
  await rm(WORK, { recursive: true, force: true })
  if (!args['keep-db']) await dropDatabase(args['database-url']).catch(() => {})
}
