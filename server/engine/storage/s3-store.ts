import { createHash } from 'node:crypto'
import { PassThrough, Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, type S3Client, type ServerSideEncryption } from '@aws-sdk/client-s3'
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
  /**
   * The deadline of one S3 call, retries included (NUXT_S3_REQUEST_TIMEOUT_MS): past it the call
   * is aborted — its sockets destroyed — and fails as a StorageError. For a streaming upload each
   * request (one part) has it; for a download's body it bounds the silence between two chunks.
   */
  deadlineMs?: number
}

/** The multipart abort after a failed upload gets at most this long (S3 is likely unwell). */
const ABORT_BUDGET_MS = 5000

/** An AbortSignal that fires after `ms` (a TimeoutError reason, as AbortSignal.timeout), with a clear(). */
function deadline(ms: number) {
  const ctl = new AbortController()
  const timer = setTimeout(() => ctl.abort(new DOMException(`S3 call exceeded its ${ms} ms deadline`, 'TimeoutError')), ms)
  return { signal: ctl.signal, clear: () => clearTimeout(timer) }
}

/**
 * Fails the stream when no chunk arrives for `ms`: a download's whole duration grows with the
 * file, so its user-facing bound is on silence, the same value as a call's deadline.
 */
function inactivityGuard(body: Readable, ms: number): Readable {
  let timer: NodeJS.Timeout | undefined
  const arm = () => {
    clearTimeout(timer)
    timer = setTimeout(() => out.destroy(new DOMException(`S3 download silent for ${ms} ms`, 'TimeoutError')), ms)
  }
  const out = new Transform({
    transform(chunk: Buffer, _e, cb) { arm(); cb(null, chunk) },
    flush(cb) { clearTimeout(timer); cb() },
  })
  out.once('close', () => { clearTimeout(timer); body.destroy() })
  arm()
  body.once('error', err => out.destroy(err))
  return body.pipe(out)
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
  private readonly deadlineMs: number
  constructor(private readonly o: ObjectStoreOptions) { this.deadlineMs = o.deadlineMs ?? 30_000 }

  /** Runs one S3 call under the call deadline (retries included; aborting frees its socket). */
  private async call<T>(send: (abortSignal: AbortSignal) => Promise<T>, ms = this.deadlineMs): Promise<T> {
    const d = deadline(ms)
    try { return await send(d.signal) }
    finally { d.clear() }
  }

  get bucket() { return this.o.bucket }

  uri(key: string) { return `s3://${this.o.bucket}/${key}` }

  /**
   * Streams `body` into S3 as a multipart upload (lib-storage), each part carrying its SHA-256
   * checksum for S3 to verify; returns the size and SHA-256 of the whole object. The file is
   * never held whole in memory (parts are buffered one or two at a time) nor written to disk.
   * On failure the multipart upload is aborted and a StorageError thrown; errors of `body`
   * itself (e.g. the database) are rethrown unchanged. Aborted through `meta.signal` (a cancel),
   * the requests in flight stop and the signal's reason is thrown without waiting on S3 — except
   * for a request that creates the object, which is waited for (see `creating`): the caller then
   * removes what is left (discard).
   */
  async putStream(key: string, body: Readable, meta: { contentType: string, metadata?: Record<string, string>, signal?: AbortSignal }): Promise<PutResult> {
    const m = measuring()
    const pass = new PassThrough({ highWaterMark: 1 << 20 })
    const parts = new AbortController()
    let bodyError: unknown
    // A failing body (the database) or a cancel stops the requests in flight at once: on a silent
    // S3 they would otherwise hold the caller until the call deadline.
    const feeding = pipeline(body, m.stream, pass).catch((err) => { bodyError = err; pass.destroy(err); parts.abort(err) })
    const cancel = () => {
      parts.abort(meta.signal!.reason)
      body.destroy(meta.signal!.reason as Error)
    }
    meta.signal?.addEventListener('abort', cancel, { once: true })
    // lib-storage sends its requests without a signal, so they could only end by socket
    // inactivity, each retried, then an abort that can stall as long: minutes past the configured
    // timeout. It gets a client whose every send has the call deadline and the upload's own abort
    // signal: the first request to fail aborts the others at once (sockets freed, done() rejects).
    let uploadId: string | undefined
    let firstFailure: unknown
    // A request that creates the object (the completion of a multipart upload; the one PutObject
    // of a file smaller than a part) is never aborted by a cancel: S3 may still finish it — bytes
    // already sent arrive after the socket closes, and a completion can take S3 a while — and make
    // the object after the caller removed it. A cancel during it waits for its outcome (within the
    // call deadline); the caller then removes the object it may have made.
    let creating: Promise<unknown> | undefined
    const s3 = this.o.s3
    const deadlineMs = this.deadlineMs
    const client = {
      config: s3.config,
      send: async (command: Parameters<S3Client['send']>[0]) => {
        const d = deadline(deadlineMs)
        try {
          const creates = command instanceof CompleteMultipartUploadCommand || command instanceof PutObjectCommand
          const sent = s3.send(command, { abortSignal: creates ? d.signal : AbortSignal.any([parts.signal, d.signal]) })
          if (creates) creating = sent
          const out = await sent
          if (command instanceof CreateMultipartUploadCommand) uploadId = (out as { UploadId?: string }).UploadId
          return out
        }
        catch (err) {
          if (!parts.signal.aborted) { firstFailure = err; parts.abort(err) }
          throw err
        }
        finally { d.clear() }
      },
    } as unknown as S3Client
    const upload = new Upload({
      client,
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
      abortController: parts,
      // The abort is ours (below), under a bounded budget; lib-storage's would run unbounded.
      leavePartsOnError: true,
    })
    try {
      if (meta.signal?.aborted) cancel()
      await upload.done()
      await feeding
    }
    catch (err) {
      const cause = bodyError
      if (!parts.signal.aborted) parts.abort(err)
      pass.destroy()
      await feeding
      // Cancelled: thrown at once (after a request creating the object, if one is in flight); the
      // caller removes what is left (discard).
      if (meta.signal?.aborted) {
        await creating?.catch(() => {})
        throw meta.signal.reason
      }
      if (uploadId) {
        await this.call(abortSignal => s3.send(new AbortMultipartUploadCommand({ Bucket: this.o.bucket, Key: key, UploadId: uploadId }), { abortSignal }), Math.min(deadlineMs, ABORT_BUDGET_MS))
          .catch(() => { /* S3 is failing: the bucket's AbortIncompleteMultipartUpload rule is the backstop (README) */ })
      }
      if (cause) throw cause
      throw new StorageError('upload', { cause: firstFailure ?? err })
    }
    finally { meta.signal?.removeEventListener('abort', cancel) }
    if (bodyError) throw bodyError
    return m.result()
  }

  async head(key: string): Promise<{ sizeBytes: number } | null> {
    try {
      const r = await this.call(abortSignal => this.o.s3.send(new HeadObjectCommand({ Bucket: this.o.bucket, Key: key }), { abortSignal }))
      return { sizeBytes: Number(r.ContentLength ?? 0) }
    }
    catch (err) {
      if ((err as Error).name === 'NotFound' || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null
      throw new StorageError('head', { cause: err })
    }
  }

  /**
   * The object's bytes as a stream, or null if there is no such object. The response must start
   * within the call deadline; then the body fails if it goes silent that long (inactivityGuard).
   * `signal` (a cancel) stops the wait for the response at once.
   */
  async get(key: string, signal?: AbortSignal): Promise<Readable | null> {
    try {
      const r = await this.call(abortSignal => this.o.s3.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: key }), { abortSignal: signal ? AbortSignal.any([abortSignal, signal]) : abortSignal }))
      return inactivityGuard(r.Body as Readable, this.deadlineMs)
    }
    catch (err) {
      if (signal?.aborted) throw signal.reason
      // Only a missing key means "no such backup"; a missing bucket is a storage failure.
      if ((err as Error).name === 'NoSuchKey') return null
      throw new StorageError('download', { cause: err })
    }
  }

  async delete(key: string): Promise<void> {
    try { await this.call(abortSignal => this.o.s3.send(new DeleteObjectCommand({ Bucket: this.o.bucket, Key: key }), { abortSignal })) }
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

  /**
   * Removes what a backup may have left at `keys` (one key, or several: a backup's attempts each
   * write their own): multipart uploads in progress, then the objects. Runs on failure and cancel
   * paths, when S3 may be unwell: every call shares one budget (the multipart abort's), so a silent
   * S3 holds the caller at most that long. Each step is tried even if the one before failed
   * (listing uploads may not be allowed; an upload may have just ended); then a StorageError says
   * what could not be done. The bucket's AbortIncompleteMultipartUpload rule is the backstop for
   * uploads.
   */
  async discard(keys: string | string[], budgetMs = ABORT_BUDGET_MS): Promise<void> {
    const wanted = new Set(typeof keys === 'string' ? [keys] : keys)
    if (!wanted.size) return
    const d = deadline(Math.min(this.deadlineMs, budgetMs))
    const { s3, bucket } = this.o
    const failures: { operation: string, err: unknown }[] = []
    const step = async (operation: string, run: () => Promise<unknown>) => {
      try { await run() }
      catch (err) {
        // An upload that ended meanwhile (completed or aborted) is not a failure to remove it.
        if ((err as Error).name !== 'NoSuchUpload') failures.push({ operation, err })
      }
    }
    try {
      await step('list_uploads', async () => {
        const r = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: commonPrefix([...wanted]) }), { abortSignal: d.signal })
        await Promise.all((r.Uploads ?? []).filter(u => u.Key && wanted.has(u.Key) && u.UploadId)
          .map(u => step('abort_upload', () => s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }), { abortSignal: d.signal }))))
      })
      await Promise.all([...wanted].map(key => step('delete', () => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: d.signal }))))
    }
    finally { d.clear() }
    if (failures.length) throw new StorageError(`discard (${failures.map(f => f.operation).join(', ')})`, { cause: failures[0]!.err })
  }
}

/** The longest prefix the keys share (one listing finds the uploads of all of them). */
function commonPrefix(keys: string[]): string {
  let prefix = keys[0] ?? ''
  for (const k of keys) while (!k.startsWith(prefix)) prefix = prefix.slice(0, -1)
  return prefix
}
