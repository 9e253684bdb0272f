// The embedded AWS for development and tests: one fauxqs process serving S3, SNS and SQS, with
// Cofre's bucket, its SNS topic, an SQS queue subscribed to the topic (so notifications can be
// observed) and the job queue with its dead-letter queue. Idempotent: re-running against
// persisted state creates nothing twice.
import { startFauxqs } from 'fauxqs'

export const LOCAL_AWS = {
  region: 'us-east-1',
  accessKeyId: 'test',
  secretAccessKey: 'test',
  bucket: 'cofre-backups',
  topic: 'cofre-events',
  queue: 'cofre-events-observer',
  jobQueue: 'cofre-jobs',
  jobDeadLetterQueue: 'cofre-jobs-dlq',
  // Deliveries of one job message before SQS moves it to the dead-letter queue: the workers run a
  // job at most maxReceiveCount − 1 times; the last delivery only records the job as failed.
  jobMaxReceiveCount: 4,
  accountId: '000000000000',
}

export function topicArn(region = LOCAL_AWS.region, topic = LOCAL_AWS.topic) {
  return `arn:aws:sns:${region}:${LOCAL_AWS.accountId}:${topic}`
}

/**
 * Starts fauxqs on `port` (0 = any free port). With `dataDir`, state persists there (SQLite) and
 * S3 objects are plain files under `<dataDir>/s3` — the fauxqs CLI ignores its persistence options, so it is started from code.
 */
export async function startLocalAws({ port = 0, dataDir, bucket = LOCAL_AWS.bucket, topic = LOCAL_AWS.topic, queue = LOCAL_AWS.queue, jobVisibilityTimeoutSeconds = 60 } = {}) {
  const server = await startFauxqs({
    port,
    logger: false,
    defaultRegion: LOCAL_AWS.region,
    ...(dataDir ? { dataDir, s3StorageDir: `${dataDir}/s3` } : {}),
  })
  const endpoint = `http://127.0.0.1:${server.port}`
  const result = server.setup({
    buckets: [bucket],
    topics: [{ name: topic }],
    queues: [
      { name: queue },
      { name: LOCAL_AWS.jobDeadLetterQueue },
      {
        name: LOCAL_AWS.jobQueue,
        attributes: {
          VisibilityTimeout: String(jobVisibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:${LOCAL_AWS.region}:${LOCAL_AWS.accountId}:${LOCAL_AWS.jobDeadLetterQueue}`, maxReceiveCount: LOCAL_AWS.jobMaxReceiveCount }),
        },
      },
    ],
    subscriptions: [{ topic, queue }],
  })
  const queueUrl = name => result.queues.find(q => q.name === name)?.url
  return {
    server,
    port: server.port,
    endpoint,
    bucket,
    topicArn: result.topics[0]?.arn ?? topicArn(LOCAL_AWS.region, topic),
    queueName: queue,
    queueUrl: queueUrl(queue),
    jobQueueUrl: queueUrl(LOCAL_AWS.jobQueue),
    jobDeadLetterQueueUrl: queueUrl(LOCAL_AWS.jobDeadLetterQueue),
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
    NUXT_QUEUE_URL: aws.jobQueueUrl,
    NUXT_QUEUE_ENDPOINT: aws.endpoint,
  }
}
