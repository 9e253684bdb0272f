// `npm run seed -- --email demo@cofre.local --transactions 100000 [--password ...] [--database-url ...] [--method auto|infile|insert]`
// Creates a demo user with a realistic ledger; re-running with the same count keeps the data
// (and resets the password), another count replaces the user's ledger. See scripts/lib/seed.mjs.
import { existsSync } from 'node:fs'
import { loadEnvFile } from 'node:process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { redactUrl } from './lib/database.mjs'
import { DEFAULT_DATABASE_URL, DEMO_EMAIL, DEMO_PASSWORD, seedUser } from './lib/seed.mjs'

// Same database as `npm run dev` by default: NUXT_DATABASE_URL from the environment or .env.
const envFile = fileURLToPath(new URL('../.env', import.meta.url))
if (existsSync(envFile)) loadEnvFile(envFile)

const { values } = parseArgs({
  options: {
    'email': { type: 'string', default: DEMO_EMAIL },
    'password': { type: 'string', default: DEMO_PASSWORD },
    'transactions': { type: 'string', default: '1000' },
    'database-url': { type: 'string', default: process.env.NUXT_DATABASE_URL || DEFAULT_DATABASE_URL },
    'method': { type: 'string', default: 'auto' },
    'help': { type: 'boolean', short: 'h', default: false },
  },
})

if (values.help) {
  console.log('Usage: npm run seed -- [--email demo@cofre.local] [--password ...] [--transactions 1000] [--database-url mysql://...] [--method auto|infile|insert]')
  process.exit(0)
}
const transactions = Number(values.transactions.replace(/_/g, ''))
if (!Number.isSafeInteger(transactions) || transactions < 0) {
  console.error(`✖ --transactions must be a whole number (got "${values.transactions}")`)
  process.exit(1)
}
if (values.password.length < 10) {
  console.error('✖ --password needs at least 10 characters (the sign-in form requires it)')
  process.exit(1)
}
if (!['auto', 'infile', 'insert'].includes(values.method)) {
  console.error('✖ --method must be auto, infile or insert')
  process.exit(1)
}

try {
  console.log(`Seeding ${redactUrl(values['database-url'])} …`)
  const r = await seedUser({
    url: values['database-url'],
    email: values.email,
    password: values.password,
    transactions,
    method: values.method,
    log: msg => console.log(`  ${msg}`),
  })
  const { accounts, categories, transactions: txs } = r.counts
  console.log(r.skipped
    ? `✔ kept: ${accounts} accounts, ${categories} categories, ${txs.toLocaleString('en')} transactions (${r.seconds.total.toFixed(1)} s)`
    : `✔ ${accounts} accounts, ${categories} categories, ${txs.toLocaleString('en')} transactions via ${r.method === 'infile' ? 'LOAD DATA LOCAL INFILE' : 'multi-row INSERT'} `
      + `in ${r.seconds.transactions.toFixed(1)} s (total ${r.seconds.total.toFixed(1)} s)`)
  console.log(`\n  Sign in with   e-mail: ${r.email}\n                 password: ${r.password}\n`)
}
catch (err) {
  console.error(`✖ Seed failed: ${err.message}`)
  process.exit(1)
}
