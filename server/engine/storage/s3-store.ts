import { createHash } from 'node:crypto'
import { PassThrough, Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AbortMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, type S3Client, type ServerSideEncryption } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { StorageError } from '../errors'

export interface ObjectStoreOptions {
  s3: S3Client
  bucket: string
  /** 'AES256' (SSE-S3) or 'aws:kms' */
  sse?: string
  sseKmsKeyId?: string
  /** Multipart part size; S3's minimum is 5 MiB. */
  partSize?: number
}

export interface PutResult { sizeBytes: number, sha256: string }

/** Counts and hashes the bytes that pass through (the object exactly as stored). */
function measuring() {
  const hash = createHash('sha256')
  let size = 0
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) { hash.update(chunk); size += chunk.length; cb(null, chunk) },
  })
  return { stream, result: (): PutResult => ({ sizeBytes: size, sha256: hash.digest('hex') }) }
}

/** S3 access for backups: streaming multipart upload with SHA-256 checksums, download, presign. */
export class ObjectStore {
  constructor(private readonly o: ObjectStoreOptions) {}

  get bucket() { return this.o.bucket }

  uri(key: string) { return `s3://${this.o.bucket}/${key}` }

  /**
   * Streams `body` into S3 as a multipart upload (lib-storage), each part carrying its SHA-256
   * checksum for S3 to verify; returns the size and SHA-256 of the whole object. The file is
   * never held whole in memory (parts are buffered one or two at a time) nor written to disk.
   * On failure the multipart upload is aborted and a StorageError thrown; errors of `body`
   * itself (e.g. the database) are rethrown unchanged.
   */
  async putStream(key: string, body: Readable, meta: { contentType: string, metadata?: Record<string, string> }): Promise<PutResult> {
    const m = measuring()
    const pass = new PassThrough({ highWaterMark: 1 << 20 })
    let bodyError: unknown
    const feeding = pipeline(body, m.stream, pass).catch((err) => { bodyError = err; pass.destroy(err) })
    const upload = new Upload({
      client: this.o.s3,
      params: {
        Bucket: this.o.bucket,
        Key: key,
        Body: pass,
        ContentType: meta.contentType,
        Metadata: meta.metadata,
        ChecksumAlgorithm: 'SHA256',
        ServerSideEncryption: (this.o.sse || undefined) as ServerSideEncryption | undefined,
        SSEKMSKeyId: this.o.sse === 'aws:kms' && this.o.sseKmsKeyId ? this.o.sseKmsKeyId : undefined,
      },
      queueSize: 2,
      partSize: this.o.partSize ?? 8 * 1024 * 1024,
      leavePartsOnError: false,
    })
    try {
      await upload.done()
      await feeding
    }
    catch (err) {
      await upload.abort().catch(() => {})
      await feeding
      pass.destroy()
      if (bodyError) throw bodyError
      throw new StorageError('upload', { cause: err })
    }
    if (bodyError) throw bodyError
    return m.result()
  }

  async head(key: string): Promise<{ sizeBytes: number } | null> {
    try {
      const r = await this.o.s3.send(new HeadObjectCommand({ Bucket: this.o.bucket, Key: key }))
      return { sizeBytes: Number(r.ContentLength ?? 0) }
    }
    catch (err) {
      if ((err as Error).name === 'NotFound' || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null
      throw new StorageError('head', { cause: err })
    }
  }

  /** The object's bytes as a stream, or null if there is no such object. */
  async get(key: string): Promise<Readable | null> {
    try {
      const r = await this.o.s3.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: key }))
      return r.Body as Readable
    }
    catch (err) {
      // Only a missing key means "no such backup"; a missing bucket is a storage failure.
      if ((err as Error).name === 'NoSuchKey') return null
      throw new StorageError('download', { cause: err })
    }
  }

  async delete(key: string): Promise<void> {
    try { await this.o.s3.send(new DeleteObjectCommand({ Bucket: this.o.bucket, Key: key })) }
    catch (err) { throw new StorageError('delete', { cause: err }) }
  }

  /** A presigned GET for `ttlSeconds`, served as an attachment named `filename`. */
  async presignGet(key: string, ttlSeconds: number, filename: string): Promise<string> {
    try {
      return await getSignedUrl(this.o.s3, new GetObjectCommand({
        Bucket: this.o.bucket,
        Key: key,
        ResponseContentDisposition: `attachment; filename="${filename.replace(/["\\\r\n]/g, '')}"`,
      }), { expiresIn: ttlSeconds })
    }
    catch (err) { throw new StorageError('presign', { cause: err }) }
  }

  /** Aborts multipart uploads under `prefix` started before `olderThan` (crash leftovers). */
  async abortStaleUploads(prefix: string, olderThan: Date): Promise<number> {
    let aborted = 0
    try {
      const r = await this.o.s3.send(new ListMultipartUploadsCommand({ Bucket: this.o.bucket, Prefix: prefix }))
      for (const u of r.Uploads ?? []) {
        if (u.Initiated && u.Initiated < olderThan && u.Key && u.UploadId) {
          await this.o.s3.send(new AbortMultipartUploadCommand({ Bucket: this.o.bucket, Key: u.Key, UploadId: u.UploadId }))
          aborted++
        }
      }
    }
    catch (err) { throw new StorageError('abort_stale_uploads', { cause: err }) }
    return aborted
  }
}
