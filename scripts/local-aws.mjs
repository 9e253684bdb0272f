// `npm run aws:local` — runs only the embedded S3/SNS/SQS (fauxqs) in the foreground, persisted
// under .data/fauxqs, with Cofre's bucket, topic and observer queue created idempotently.
import { fileURLToPath } from 'node:url'
import { startLocalAws, localAwsEnv } from './lib/local-aws.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const aws = await startLocalAws({ port: Number(process.env.COFRE_FAUXQS_PORT ?? 4566), dataDir: `${root}.data/fauxqs` })
console.log(`fauxqs on ${aws.endpoint}; point Cofre at it with:`)
for (const [k, v] of Object.entries(localAwsEnv(aws))) console.log(`  ${k}=${v}`)
console.log(`SNS notifications are copied to SQS queue ${aws.queueUrl}`)
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => aws.stop().then(() => process.exit(0)))
