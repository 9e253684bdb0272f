import { SQSClient } from '@aws-sdk/client-sqs'
import type { NotifierConfig } from './clients'

/**
 * The SQS client for the job queue. Credentials and region are the S3 ones (one IAM identity for
 * the app); a local emulator needs its endpoint, since its queue URLs name hosts that do not
 * resolve here.
 */
export function createSqsClient(c: Omit<NotifierConfig, 'topicArn'>): SQSClient {
  return new SQSClient({
    region: c.region,
    endpoint: c.endpoint || undefined,
    credentials: c.accessKeyId ? { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } : undefined,
    // Against an emulator its queue URLs name hosts that do not resolve: send to the endpoint.
    useQueueUrlAsEndpoint: !c.endpoint,
    maxAttempts: 3,
    // A long poll holds its request up to 20 s: the socket limit sits above it.
    requestHandler: { connectionTimeout: 3000, socketTimeout: 30_000 },
  })
}
