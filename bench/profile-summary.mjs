// `node bench/profile-summary.mjs <file.cpuprofile> [--top 25]`
// Summarizes a V8 CPU profile (from `npm run bench -- --cpu-prof`): self time grouped by stage
// (database driver, JSON, gzip, hashing, S3/HTTP, validation, ...) and the hottest functions.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } })
if (!positionals.length) { console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [--top N]'); process.exit(1) }

const STAGES = [
  ['idle', f => f.functionName === '(idle)'],
  ['garbage collection', f => f.functionName === '(garbage collector)'],
  ['program (native, unattributed)', f => f.functionName === '(program)'],
  ['mysql2 driver (packets, row parsing, SQL escaping)', f => /mysql2|sqlstring|denque|lru-cache|iconv-lite|named-placeholders/.test(f.url)],
  ['export (engine/export)', f => /export-rows|exportUserRows/.test(f.url + f.functionName)],
  ['archive reader (gunzip, line split, JSON.parse)', f => /archive-reader|readArchive/.test(f.url + f.functionName)],
  ['validation (engine/restore/validator, values)', f => /validator|values\.|valueChecker|validatedRows/.test(f.url + f.functionName)],
  ['replace (engine/restore/replace)', f => /replace|replaceUserData/.test(f.url + f.functionName)],
  ['AWS SDK / S3 / HTTP client', f => /@aws-sdk|@smithy|lib-storage/.test(f.url)],
  ['node streams', f => /node:internal\/streams|internal\/streams/.test(f.url)],
  ['zlib (main-thread part)', f => /zlib/.test(f.url + f.functionName)],
  ['crypto / hashing (main-thread part)', f => /crypto|Hash/.test(f.url + f.functionName)],
  ['JSON.parse / JSON.stringify (builtin)', f => /^JSON|stringify|parse$/.test(f.functionName) && !f.url],
  ['nitro / h3 / nuxt / vue', f => /\.output\/server|chunks\/|h3|nitro|vue|nuxt/.test(f.url)],
  ['node internals', f => /^node:/.test(f.url)],
  ['other builtins (no url)', f => !f.url],
]

const file = positionals[0]
const profile = JSON.parse(readFileSync(file, 'utf8'))
const byId = new Map(profile.nodes.map(n => [n.id, n]))
const self = new Map()
// samples[i] ran for timeDeltas[i] µs (the delta precedes the sample).
for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0))
const total = [...self.values()].reduce((a, b) => a + b, 0)

const stageOf = (cf) => {
  const f = { functionName: cf.functionName, url: cf.url ?? '' }
  return STAGES.find(([, test]) => test(f))?.[0] ?? 'other JS'
}
const stages = new Map()
const fns = new Map()
for (const [id, us] of self) {
  const cf = byId.get(id).callFrame
  const stage = stageOf(cf)
  stages.set(stage, (stages.get(stage) ?? 0) + us)
  const key = `${cf.functionName || '(anonymous)'}  ${(cf.url ?? '').replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/\.output\//, '.output/')}:${cf.lineNumber + 1}`
  fns.set(key, (fns.get(key) ?? 0) + us)
}
const ms = us => `${(us / 1000).toFixed(0).padStart(7)} ms`
const pct = us => `${((100 * us) / total).toFixed(1).padStart(5)} %`
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled on the main thread\n`)
console.log('Self time by stage:')
for (const [s, us] of [...stages].sort((a, b) => b[1] - a[1])) console.log(`  ${ms(us)} ${pct(us)}  ${s}`)
console.log(`\nTop ${values.top} functions by self time:`)
for (const [k, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(`  ${ms(us)} ${pct(us)}  ${k}`)
