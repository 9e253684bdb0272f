// `npm run db:migrate` — creates the database named in NUXT_DATABASE_URL if needed and applies
// the committed migrations in drizzle/. Safe to run repeatedly.
import { existsSync } from 'node:fs'
import { loadEnvFile } from 'node:process'
import { migrateDatabase, redactUrl, DatabaseUnreachableError } from './lib/database.mjs'

if (existsSync('.env')) loadEnvFile('.env')
const url = process.env.NUXT_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/cofre'
try {
  await migrateDatabase(url)
  console.log(`✔ migrations applied to ${redactUrl(url)}`)
}
catch (err) {
  console.error(`✖ ${err instanceof DatabaseUnreachableError ? err.message : `Migration failed: ${err.message}`}`)
  process.exit(1)
}
