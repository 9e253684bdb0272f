// `npm run dev` — the one command that runs Cofre locally: embedded S3/SNS/SQS (fauxqs, persisted
// under .data/), the database `cofre` on 127.0.0.1:3306 migrated, then `nuxt dev` on :3000.
// Any NUXT_* variable already set (or in .env) wins over these embedded defaults.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { loadEnvFile } from 'node:process'
import { existsSync } from 'node:fs'
import { migrateDatabase, redactUrl, DatabaseUnreachableError } from './lib/database.mjs'
import { startLocalAws, localAwsEnv } from './lib/local-aws.mjs'
import { isPortFree } from './lib/ports.mjs'
import { devSecret } from './lib/dev-secret.mjs'
import { DEMO_EMAIL, DEMO_PASSWORD, seedUser, userExists } from './lib/seed.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
if (existsSync(`${root}.env`)) loadEnvFile(`${root}.env`)

const env = { ...process.env }
env.NUXT_DATABASE_URL ||= 'mysql://root@127.0.0.1:3306/cofre'
env.NUXT_JWT_SECRET ||= devSecret(`${root}.data/dev-jwt-secret`)

let aws
if (!env.NUXT_S3_BUCKET) {
  const port = Number(env.COFRE_FAUXQS_PORT ?? 4566)
  if (!(await isPortFree(port))) {
    console.error(`✖ Port ${port} is taken, so the embedded fauxqs (S3/SNS) cannot start.\n  Stop whatever uses it, or choose another port: COFRE_FAUXQS_PORT=4567 npm run dev`)
    process.exit(1)
  }
  aws = await startLocalAws({ port, dataDir: `${root}.data/fauxqs` })
  for (const [k, v] of Object.entries(localAwsEnv(aws))) env[k] ||= v
  console.log(`✔ fauxqs (S3, SNS, SQS) on ${aws.endpoint} — bucket ${aws.bucket}, topic ${aws.topicArn}, observer queue ${aws.queueName}`)
}

try {
  await migrateDatabase(env.NUXT_DATABASE_URL)
  console.log(`✔ database migrated: ${redactUrl(env.NUXT_DATABASE_URL)}`)
}
catch (err) {
  console.error(`✖ ${err instanceof DatabaseUnreachableError ? err.message : `Migration failed: ${err.message}`}`)
  await aws?.stop()
  process.exit(1)
}

// A demo user with a small ledger, created once; later runs leave it (and its data) alone.
try {
  if (await userExists(env.NUXT_DATABASE_URL, DEMO_EMAIL)) console.log(`✔ demo user: ${DEMO_EMAIL} / ${DEMO_PASSWORD} (already there; the password is this unless you changed it)`)
  else {
    await seedUser({ url: env.NUXT_DATABASE_URL, email: DEMO_EMAIL, password: DEMO_PASSWORD, transactions: 500 })
    console.log(`✔ demo user created: ${DEMO_EMAIL} / ${DEMO_PASSWORD} (500 transactions; more with npm run seed -- --transactions 100000)`)
  }
}
catch (err) {
  console.warn(`⚠ demo user not created (${err.message}); the app starts anyway`)
}

const nuxt = spawn('nuxt', ['dev', '--port', env.PORT ?? '3000', ...process.argv.slice(2)], { stdio: 'inherit', env, cwd: root })
const stop = async (code) => {
  await aws?.stop().catch(() => {})
  process.exit(code ?? 0)
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => nuxt.kill(sig))
nuxt.on('exit', code => stop(code))
