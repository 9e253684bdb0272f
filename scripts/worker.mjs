// `npm run worker` — one more job worker on this machine, beside a running `npm run dev`: the
// production build in the `worker` role (it runs backups and restores from the SQS queue and serves
// only /api/health), pointed at the same database and embedded fauxqs as `npm run dev`. Start two
// or three to watch jobs spread over processes; kill one mid-job to watch another take it over.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { loadEnvFile } from 'node:process'
import { fileURLToPath } from 'node:url'
import { devSecret } from './lib/dev-secret.mjs'
import { LOCAL_AWS, localAwsEnv } from './lib/local-aws.mjs'
import { freePort, isPortFree } from './lib/ports.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
if (existsSync(`${root}.env`)) loadEnvFile(`${root}.env`)

const env = { ...process.env, NODE_ENV: 'production', NUXT_ROLE: 'worker' }
env.NUXT_DATABASE_URL ||= 'mysql://root@127.0.0.1:3306/cofre'
env.NUXT_JWT_SECRET ||= devSecret(`${root}.data/dev-jwt-secret`)
if (!env.NUXT_S3_BUCKET) {
  const port = Number(env.COFRE_FAUXQS_PORT ?? 4566)
  if (await isPortFree(port)) {
    console.error(`✖ Nothing listens on port ${port}: start \`npm run dev\` first (it runs the embedded fauxqs with the job queue), or set NUXT_QUEUE_URL and the S3/SNS variables.`)
    process.exit(1)
  }
  const endpoint = `http://127.0.0.1:${port}`
  const aws = {
    endpoint,
    bucket: LOCAL_AWS.bucket,
    topicArn: `arn:aws:sns:${LOCAL_AWS.region}:${LOCAL_AWS.accountId}:${LOCAL_AWS.topic}`,
    // As fauxqs names its queues (the client sends to the endpoint, NUXT_QUEUE_ENDPOINT).
    jobQueueUrl: `http://sqs.${LOCAL_AWS.region}.localhost:${port}/${LOCAL_AWS.accountId}/${LOCAL_AWS.jobQueue}`,
  }
  for (const [k, v] of Object.entries(localAwsEnv(aws))) env[k] ||= v
}
if (!existsSync(`${root}.output/server/index.mjs`)) {
  console.log('▶ no production build yet: npm run build')
  if (spawnSync('npm', ['run', 'build'], { stdio: 'inherit', cwd: root, env: { ...process.env, NODE_ENV: 'production' } }).status !== 0) process.exit(1)
}
env.PORT ||= String(await freePort())
env.HOST ||= '127.0.0.1'
console.log(`✔ job worker (pid ${process.pid} → server below) — health on http://${env.HOST}:${env.PORT}/api/health; stop with Ctrl+C`)
const child = spawn(process.execPath, [`${root}.output/server/index.mjs`], { stdio: 'inherit', env, cwd: root })
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', code => process.exit(code ?? 0))
