import { ObjectStore } from '../engine/storage/s3-store'

let store: ObjectStore | undefined

/** The backup object store (S3 bucket from config). */
export function useObjectStore(): ObjectStore {
  if (!store) {
    const c = cofreConfig().s3
    store = new ObjectStore({ s3: useS3(), bucket: c.bucket, sse: c.sse, sseKmsKeyId: c.sseKmsKeyId, partSize: c.partSizeMb * 1024 * 1024, deadlineMs: c.requestTimeoutMs })
  }
  return store
}
