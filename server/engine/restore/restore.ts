import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Pool } from 'mysql2/promise'
import { BackupInvalidError, StorageError } from '../errors'
import type { TableSpec } from '../spec'
import type { ObjectStore } from '../storage/s3-store'
import { readArchive } from './archive-reader'
import { replaceUserData, type ReplaceStats } from './replace'
import { spoolValidated } from './spool'
import { reportStages } from '../stages'
import { validatedRows } from './validator'

export interface RestoreOptions {
  pool: Pool
  store: ObjectStore
  key: string
  userId: number
  tables: readonly TableSpec[]
  expected: { sizeBytes: number, sha256: string }
  maxUncompressedBytes: number
  /** Runs after validation and before any change (the safety backup); if it throws, nothing changes. */
  beforeReplace: () => Promise<void>
  onTransaction?: (threadId: number) => void
  /** Filled with the milliseconds per stage and the rows changed (bench and logs). */
  stats?: RestoreStats
}

export interface RestoreStats extends Partial<ReplaceStats> { downloadMs?: number, validateMs?: number, safetyBackupMs?: number, replaceMs?: number }

/**
 * The restore pipeline, with the slow non-database work outside the transaction:
 *  1. download the object to a private temp file, counting and hashing it: size and SHA-256 must
 *     equal the catalogue's (missing/truncated/bit-flipped/swapped objects stop here);
 *  2. validate the whole file (format, owner, registry, types, keys, references, counts, digest),
 *     parsing it once: each valid row is spooled, as the SQL tuple it will be inserted as, to a
 *     per-table temp file (so the rows inserted are the rows verified, even if the S3 object
 *     changes meanwhile);
 *  3. beforeReplace() — the safety backup;
 *  4. one transaction that makes the user's rows equal to the spooled ones (replace.ts).
 * The temp files are removed whatever happens.
 */
export async function restoreFromObject(o: RestoreOptions): Promise<Record<string, number>> {
  const started = performance.now()
  const dir = await mkdtemp(join(tmpdir(), 'cofre-restore-'))
  const file = join(dir, 'backup.jsonl.gz')
  try {
    const body = await o.store.get(o.key)
    if (!body) throw new BackupInvalidError('missing_object', 'the backup file is gone from storage')
    const hash = createHash('sha256')
    let size = 0
    const tooBig = o.expected.sizeBytes
    try {
      await pipeline(body, new Transform({
        transform(chunk: Buffer, _e, cb) {
          size += chunk.length
          if (size > tooBig) return cb(new BackupInvalidError('size_mismatch', `larger than the recorded ${tooBig} bytes`))
          hash.update(chunk)
          cb(null, chunk)
        },
      }), createWriteStream(file, { mode: 0o600 }))
    }
    catch (err) {
      if (err instanceof BackupInvalidError) throw err
      throw new StorageError('download', { cause: err })
    }
    if (size !== o.expected.sizeBytes) throw new BackupInvalidError('size_mismatch', `${size} bytes, recorded ${o.expected.sizeBytes}`)
    if (hash.digest('hex') !== o.expected.sha256) throw new BackupInvalidError('checksum_mismatch', 'SHA-256 differs from the recorded one')

    const stats = o.stats ?? {}
    stats.downloadMs = performance.now() - started
    let t0 = performance.now()
    // Pass 1: validate everything before any change, spooling the rows to insert.
    const spool = await spoolValidated(
      validatedRows(readArchive(createReadStream(file) as Readable, { maxUncompressedBytes: o.maxUncompressedBytes }), { userId: o.userId, tables: o.tables }),
      { dir },
    )
    await rm(file, { force: true })
    stats.validateMs = performance.now() - t0
    t0 = performance.now()
    await o.beforeReplace()
    stats.safetyBackupMs = performance.now() - t0
    t0 = performance.now()
    // Pass 2: the replace, from the spooled rows.
    const restored = await replaceUserData({ pool: o.pool, userId: o.userId, tables: o.tables, spool, dir, onTransaction: o.onTransaction, stats: (stats as ReplaceStats) })
    stats.replaceMs = performance.now() - t0
    reportStages('restore', stats)
    return restored
  }
  finally {
    await rm(dir, { recursive: true, force: true })
  }
}
