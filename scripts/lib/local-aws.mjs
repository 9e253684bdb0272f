// The embedded AWS for development and tests: one fauxqs process serving S3, SNS and SQS, with
// Cofre's bucket, its SNS topic and an SQS queue subscribed to the topic (so notifications can be
// observed). Idempotent: re-running against persisted state creates nothing twice.
import { startFauxqs } from 'fauxqs'

export const LOCAL_AWS = {
  region: 'us-east-1',
  accessKeyId: 'test',
  secretAccessKey: 'test',
  bucket: 'cofre-backups',
  topic: 'cofre-events',
  queue: 'cofre-events-observer',
  accountId: '000000000000',
}

export function topicArn(region = LOCAL_AWS.region, topic = LOCAL_AWS.topic) {
  return `arn:aws:sns:${region}:${LOCAL_AWS.accountId}:${topic}`
}

/**
 * Starts fauxqs on `port` (0 = any free port). With `dataDir`, state persists there (SQLite) and
 * S3 objects are plain files under `<dataDir>/s3` — the fauxqs CLI ignores its persistence options, so it is started from code.
 */
export async function startLocalAws({ port = 0, dataDir, bucket = LOCAL_AWS.bucket, topic = LOCAL_AWS.topic, queue = LOCAL_AWS.queue } = {}) {
  const server = await startFauxqs({
    port,
    logger: false,
    defaultRegion: LOCAL_AWS.region,
    ...(dataDir ? { dataDir, s3StorageDir: `${dataDir}/s3` } : {}),
  })
  const result = server.setup({
    buckets: [bucket],
    topics: [{ name: topic }],
    queues: [{ name: queue }],
    subscriptions: [{ topic, queue }],
  })
  const endpoint = `http://127.0.0.1:${server.port}`
  return {
    server,
    port: server.port,
    endpoint,
    bucket,
    topicArn: result.topics[0]?.arn ?? topicArn(LOCAL_AWS.region, topic),
    queueName: queue,
    queueUrl: result.queues[0]?.url,
    stop: () => server.stop(),
  }
}

/** NUXT_* variables that point the app at a local fauxqs. */
export function localAwsEnv(aws) {
  return {
    NUXT_S3_ENDPOINT: aws.endpoint,
    NUXT_S3_REGION: LOCAL_AWS.region,
    NUXT_S3_BUCKET: aws.bucket,
    NUXT_S3_ACCESS_KEY_ID: LOCAL_AWS.accessKeyId,
    NUXT_S3_SECRET_ACCESS_KEY: LOCAL_AWS.secretAccessKey,
    NUXT_S3_FORCE_PATH_STYLE: 'true',
    NUXT_SNS_ENDPOINT: aws.endpoint,
    NUXT_SNS_TOPIC_ARN: aws.topicArn,
  }
}
