import type { SQSClient } from '@aws-sdk/client-sqs'
import { createSqsClient } from '../engine/storage/queue-client'

let sqs: SQSClient | undefined

/** The SQS client of the job queue (NUXT_QUEUE_*; credentials and region as S3's). */
export function useSqs(): SQSClient {
  const c = cofreConfig()
  return (sqs ??= createSqsClient({ endpoint: c.queue.endpoint, region: c.s3.region, accessKeyId: c.s3.accessKeyId, secretAccessKey: c.s3.secretAccessKey }))
}
