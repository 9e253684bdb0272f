// `npm test` — every check, in order: lint, typecheck, production build, vitest (unit +
// integration, each integration run on its own database and fauxqs), Playwright e2e against the
// build in Debian Chromium. Stops at the first failing stage; prints a summary with timings.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'

const stages = [
  ['lint', 'eslint', ['.']],
  ['typecheck', 'nuxt', ['typecheck']],
  ['build', 'nuxt', ['build']],
  ['vitest', 'vitest', ['run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json']],
  ['e2e', 'playwright', ['test']],
  // The benchmark in smoke mode (10k rows, 1 run, 3 s of load) so it cannot rot; it fails only
  // when something is broken, never for a missed performance target.
  ['bench-smoke', 'node', ['bench/run.mjs', '--smoke']],
]
const only = process.argv.slice(2)
rmSync('test-results', { recursive: true, force: true })
mkdirSync('test-results', { recursive: true })

const timings = []
let failed = null
for (const [name, cmd, args] of stages) {
  if (only.length && !only.includes(name)) continue
  console.log(`\n▶ ${name}: ${cmd} ${args.join(' ')}`)
  const started = Date.now()
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, NODE_ENV: name === 'build' ? 'production' : 'test' } })
  timings.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)}s`)
  if (r.status !== 0) { failed = name; break }
}

function counts() {
  let passed = 0, failedTests = 0, skipped = 0
  if (existsSync('test-results/vitest.json')) {
    const v = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'))
    passed += v.numPassedTests; failedTests += v.numFailedTests; skipped += v.numPendingTests + (v.numTodoTests ?? 0)
  }
  if (existsSync('test-results/playwright.json')) {
    const p = JSON.parse(readFileSync('test-results/playwright.json', 'utf8')).stats
    passed += p.expected + p.flaky; failedTests += p.unexpected; skipped += p.skipped
  }
  return { passed, failedTests, skipped }
}

const { passed, failedTests, skipped } = counts()
console.log(`\n${timings.join(' · ')}`)
if (failed) console.log(`✖ stage "${failed}" failed`)
console.log(`tests: ${passed} passed, ${failedTests} failed, ${skipped} skipped`)
process.exit(failed ? 1 : 0)
