import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { BackupInvalidError, StorageError } from '../errors'
import type { Observed } from '../progress'
import type { TableSpec } from '../spec'
import type { ObjectStore } from '../storage/s3-store'
import { readArchiveBatches } from './archive-reader'
import { spoolBatches, type SpooledBackup } from './spool'
import { createRestoreTempDir, removeRestoreTempDir } from './temp-dir'
import { validatedBatches, type ValidatedItem } from './validator'

export interface PrepareOptions extends Observed {
  store: ObjectStore
  key: string
  userId: number
  tables: readonly TableSpec[]
  /** What the catalogue recorded when the backup was made: the object must match it exactly. */
  expected: { sizeBytes: number, sha256: string }
  maxUncompressedBytes: number
}

/** A backup proven valid and spooled to private temp files, ready to plan or apply. */
export interface PreparedBackup extends SpooledBackup {
  /** The private temp directory holding the spooled rows (removed by dispose()). */
  dir: string
  formatVersion: number
  schemaVersion: number
  dispose(): Promise<void>
}

/**
 * The prepare stage, all of it slow non-database work, before any transaction:
 *  1. download the object to a private temp file, counting and hashing it: size and SHA-256 must
 *     equal the catalogue's (missing/truncated/bit-flipped/swapped objects stop here);
 *  2. read it once (gunzip with a cap, lines, trailer), upgrade it to the current schema and
 *     validate everything (format, owner, registry, types, keys, references, counts, digest),
 *     spooling each valid row per table, so the rows later applied are the rows verified even if
 *     the S3 object changes meanwhile.
 * Throws BackupInvalidError (with a reason) or StorageError; on any failure nothing is left on disk.
 */
export async function prepare(o: PrepareOptions): Promise<PreparedBackup> {
  const dir = await createRestoreTempDir()
  const dispose = () => removeRestoreTempDir(dir)
  try {
    const file = join(dir, 'backup.jsonl.gz')
    await download(o, file)
    let header: Extract<ValidatedItem, { kind: 'header' }>['header'] | undefined
    const size = o.expected.sizeBytes
    let read = 0
    o.onProgress?.({ stage: 'validating', done: 0, total: size, unit: 'bytes' })
    const source = createReadStream(file).on('data', (chunk) => {
      read += chunk.length
      o.onProgress?.({ stage: 'validating', done: read, total: size, unit: 'bytes' })
    })
    async function* remember(batches: AsyncIterable<ValidatedItem[]>) {
      for await (const items of batches) {
        o.signal?.throwIfAborted()
        if (!header && items[0]?.kind === 'header') header = items[0].header
        yield items
      }
    }
    // Lines and rows travel in arrays (one per decompressed chunk): an await per row, three
    // stages deep, measured as ~1 s per million rows.
    const spool = await spoolBatches(remember(validatedBatches(readArchiveBatches(source as Readable, { maxUncompressedBytes: o.maxUncompressedBytes }), { userId: o.userId, tables: o.tables })), { dir })
    o.onProgress?.({ stage: 'validating', done: size, total: size, unit: 'bytes' })
    await rm(file, { force: true })
    if (!header) throw new BackupInvalidError('malformed', 'no header')
    return { ...spool, dir, formatVersion: header.version, schemaVersion: header.schemaVersion, dispose }
  }
  catch (err) {
    await dispose()
    throw err
  }
}

/** Copies the object to `file` (owner-only), checking its size and SHA-256 against the catalogue's. */
async function download(o: PrepareOptions, file: string) {
  const body = await o.store.get(o.key, o.signal)
  if (!body) throw new BackupInvalidError('missing_object', 'the backup file is gone from storage')
  const hash = createHash('sha256')
  const expected = o.expected.sizeBytes
  let size = 0
  o.onProgress?.({ stage: 'downloading', done: 0, total: expected, unit: 'bytes' })
  try {
    await pipeline(body, new Transform({
      transform(chunk: Buffer, _e, cb) {
        size += chunk.length
        if (o.signal?.aborted) return cb(o.signal.reason)
        if (size > expected) return cb(new BackupInvalidError('size_mismatch', `larger than the recorded ${expected} bytes`))
        hash.update(chunk)
        o.onProgress?.({ stage: 'downloading', done: size, total: expected, unit: 'bytes' })
        cb(null, chunk)
      },
    }), createWriteStream(file, { mode: 0o600 }), { signal: o.signal })
  }
  catch (err) {
    if (err instanceof BackupInvalidError || o.signal?.aborted) throw err
    throw new StorageError('download', { cause: err })
  }
  if (size !== expected) throw new BackupInvalidError('size_mismatch', `${size} bytes, recorded ${expected}`)
  if (hash.digest('hex') !== o.expected.sha256) throw new BackupInvalidError('checksum_mismatch', 'SHA-256 differs from the recorded one')
}
