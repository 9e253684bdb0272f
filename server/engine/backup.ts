import type { Pool } from 'mysql2'
import { compressStream } from './compression'
import { exportUserRows, type ExportResult, type RowTap } from './export/export-rows'
import { CONTAINER_OF, CONTENT_TYPES, FORMAT_VERSION, SCHEMA_VERSION, type FormatVersion } from './format'
import type { TableSpec } from './spec'
import type { ObjectStore } from './storage/s3-store'
import { reportStages } from './stages'
import { checkpoint, type Observed } from './progress'

export interface WriteBackupOptions extends Observed {
  pool: Pool
  store: ObjectStore
  key: string
  userId: number
  backupId: string
  tables: readonly TableSpec[]
  app: { name: string, version: string }
  /** The format to write: FORMAT_VERSION (2, zstd, where Node's zstd works) unless told otherwise. */
  formatVersion?: FormatVersion
  /** Compression level: 1 by default (the mysqldump | gzip -1 reference's gzip level; zstd's fastest usual level). */
  level?: number
  /** Also hands every row read to this (a restore's comparison: restore/snapshot-diff.ts). */
  tap?: RowTap
}

export interface WriteBackupResult { sizeBytes: number, sha256: string, rowCounts: Record<string, number>, digest: string }

/**
 * The whole "export the user's data → save the file to S3" step: snapshot rows → JSON lines →
 * zstd (format 2) or gzip (format 1) → SHA-256 + size → multipart upload. Streaming end to end, memory bounded by the chunk
 * and part sizes. Throws DatabaseError or StorageError; the upload is aborted on either.
 */
export async function writeBackup(o: WriteBackupOptions): Promise<WriteBackupResult> {
  const version = o.formatVersion ?? FORMAT_VERSION
  const started = performance.now()
  const exported: Partial<ExportResult> = {}
  let exportMs = 0
  let uncompressedBytes = 0
  async function* timed() {
    for await (const chunk of exportUserRows({ pool: o.pool, userId: o.userId, backupId: o.backupId, tables: o.tables, app: o.app, tap: o.tap, onProgress: o.onProgress, signal: o.signal, formatVersion: version }, exported)) {
      uncompressedBytes += chunk.length
      yield chunk
    }
    exportMs = performance.now() - started
    // Every row is read; what is left is the upload's tail (the last part and the completion).
    const rows = Object.values(exported.rowCounts ?? {}).reduce((a, b) => a + b, 0)
    checkpoint(o, { stage: 'uploading', done: rows, total: rows, unit: 'rows' })
  }
  // A failure of the row stream (e.g. a killed connection) fails the compressed stream, and so the upload.
  const put = await o.store.putStream(o.key, compressStream(timed(), CONTAINER_OF[version], { level: o.level }), {
    contentType: CONTENT_TYPES[version],
    metadata: { 'cofre-format-version': String(version), 'cofre-schema-version': String(SCHEMA_VERSION), 'cofre-user-id': String(o.userId) },
    // A cancel stops the upload at once, even while S3 is silent (the row reader only sees it between rows).
    signal: o.signal,
  })
  // export = rows read, serialized and hashed (gzip and upload run alongside); the rest is the
  // upload's tail (last part, completion).
  reportStages('backup', { formatVersion: version, exportMs, totalMs: performance.now() - started, uncompressedBytes, sizeBytes: put.sizeBytes })
  return { ...put, rowCounts: exported.rowCounts!, digest: exported.digest! }
}
