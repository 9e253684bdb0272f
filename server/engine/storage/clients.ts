import { S3Client } from '@aws-sdk/client-s3'
import { SNSClient } from '@aws-sdk/client-sns'

export interface StorageConfig {
  endpoint: string
  region: string
  bucket: string
  accessKeyId: string
  secretAccessKey: string
  forcePathStyle: boolean
  sse: string
  sseKmsKeyId: string
  requestTimeoutMs: number
  partSizeMb: number
}

export interface NotifierConfig {
  endpoint: string
  region: string
  topicArn: string
  accessKeyId: string
  secretAccessKey: string
}

function credentials(c: { accessKeyId: string, secretAccessKey: string }) {
  // Without explicit keys the SDK's default chain applies (instance/task role, AWS_* env, profile).
  return c.accessKeyId ? { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } : undefined
}

export function createS3Client(c: StorageConfig): S3Client {
  return new S3Client({
    region: c.region,
    endpoint: c.endpoint || undefined,
    forcePathStyle: c.forcePathStyle,
    credentials: credentials(c),
    maxAttempts: 2,
    // In @smithy/node-http-handler 4, `requestTimeout` only logs a warning unless
    // throwOnRequestTimeout is set, and it is per attempt. Here: "S3 went silent", an inactivity
    // limit on the socket; the user-facing bound of a call, retries included, is the deadline
    // ObjectStore gives each call (an abort signal, same value): s3-store.ts.
    requestHandler: { connectionTimeout: 3000, socketTimeout: c.requestTimeoutMs },
  })
}

export function createSnsClient(c: NotifierConfig): SNSClient {
  return new SNSClient({
    region: c.region,
    endpoint: c.endpoint || undefined,
    credentials: credentials(c),
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 3000, socketTimeout: 5000 },
  })
}
