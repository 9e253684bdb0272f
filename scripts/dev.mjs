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

const nuxt = spawn('nuxt', ['dev', '--port', env.PORT ?? '3000', ...process.argv.slice(2)], { stdio: 'inherit', env, cwd: root })
const stop = async (code) => {
  await aws?.stop().catch(() => {})
  process.exit(code ?? 0)
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => nuxt.kill(sig))
nuxt.on('exit', code => stop(code))
