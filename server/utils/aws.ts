import type { S3Client } from '@aws-sdk/client-s3'
import type { SNSClient } from '@aws-sdk/client-sns'
import { createS3Client, createSnsClient } from '../engine/storage/clients'

let s3: S3Client | undefined
let sns: SNSClient | undefined

export function useS3(): S3Client {
  return (s3 ??= createS3Client(cofreConfig().s3))
}

export function useSns(): SNSClient {
  return (sns ??= createSnsClient(notifierConfig()))
}
