// Bundled by bench/stages.mjs (esbuild): the engine's pieces, run one stage at a time without
// the HTTP server or S3, to see where the time of a backup or a restore goes.
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compose, Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'
import { compressStream } from '../../server/engine/compression'
import type { FormatVersion } from '../../server/engine/format'
import mysql from 'mysql2'
import { connectionOptions } from '../../server/db/client'
import { USER_DATA_TABLES } from '../../server/db/registry'
import { exportUserRows } from '../../server/engine/export/export-rows'
import { readArchive, readArchiveBatches } from '../../server/engine/restore/archive-reader'
import { StageClock } from '../../server/engine/progress'
import { apply } from '../../server/engine/restore/apply'
import { SnapshotDiff } from '../../server/engine/restore/snapshot-diff'
import { spoolBatches, spoolValidated } from '../../server/engine/restore/spool'
import { validatedBatches, validatedRows } from '../../server/engine/restore/validator'

const APP = { name: 'cofre', version: 'bench' }
const sink = () => new Writable({ write(_c, _e, cb) { cb() } })
/** Wall time, and the CPU time of this process (main thread + thread pool: JSON, zlib, hashing). */
const time = async <T>(fn: () => Promise<T>) => {
  const t = performance.now()
  const cpu = process.cpuUsage()
  const value = await fn()
  const used = process.cpuUsage(cpu)
  return { ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000, value }
}

export function openPool(url: string) { return mysql.createPool(connectionOptions(url, 2)) }

/** DB read only: every column of the user's rows through mysql2 (rowsAsArray), nothing else. */
export async function dbRead(pool: mysql.Pool, userId: number) {
  return time(async () => {
    let n = 0
    for (const t of USER_DATA_TABLES) {
      const sql = `SELECT ${t.columns.map(c => `\`${c.name}\``).join(', ')} FROM \`${t.name}\` WHERE user_id = ? ORDER BY \`${t.primaryKey}\``
      const stream = pool.query({ sql, values: [userId], rowsAsArray: true }).stream({ highWaterMark: 1000 })
      for await (const _row of stream) n++
    }
    return n
  })
}

const rows = (pool: mysql.Pool, userId: number, tap?: SnapshotDiff, formatVersion?: FormatVersion) => exportUserRows({ pool, userId, backupId: 'bench', tables: USER_DATA_TABLES, app: APP, tap, formatVersion })

/** DB read + serialization (+ the digest the trailer carries). */
export async function exportOnly(pool: mysql.Pool, userId: number) {
  return time(async () => { let bytes = 0; for await (const b of rows(pool, userId)) bytes += b.length; return bytes })
}

/**
 * DB read + serialization (lines of format `layout`) + compression (`container`) + SHA-256 of the
 * compressed bytes: what a backup does without the upload. Format 1 is layout 1 + gzip, format 2
 * layout 2 + zstd; the mixed pairs show what each half of the change buys.
 */
export async function exportCompressed(pool: mysql.Pool, userId: number, layout: FormatVersion, container: 'gzip' | 'zstd', file?: string) {
  return time(async () => {
    const hash = createHash('sha256')
    let size = 0
    await pipeline(compressStream(rows(pool, userId, undefined, layout), container), async function* (src: AsyncIterable<Buffer>) {
      for await (const c of src) { hash.update(c); size += c.length; yield c }
    }, file ? createWriteStream(file) : sink())
    return { size }
  })
}

/** DB read + serialization (+ digest) of format `layout`'s lines, no compression. */
export async function exportLayout(pool: mysql.Pool, userId: number, layout: FormatVersion) {
  return time(async () => { let bytes = 0; for await (const b of rows(pool, userId, undefined, layout)) bytes += b.length; return bytes })
}

/** DB read + serialization + gzip (level) + SHA-256 of the compressed bytes; optionally kept in a file. */
export async function exportGzip(pool: mysql.Pool, userId: number, level = 1, file?: string) {
  return time(async () => {
    const hash = createHash('sha256')
    let size = 0
    await pipeline(compose(Readable.from(rows(pool, userId), { objectMode: false }), createGzip({ level, chunkSize: 64 * 1024 })), async function* (src: AsyncIterable<Buffer>) {
      for await (const c of src) { hash.update(c); size += c.length; yield c }
    }, file ? createWriteStream(file) : sink())
    return { size, sha256: hash.digest('hex') }
  })
}

export async function gunzipOnly(file: string) {
  return time(async () => { let n = 0; await pipeline(createReadStream(file), createGunzip({ chunkSize: 64 * 1024 }), new Writable({ write(c, _e, cb) { n += c.length; cb() } })); return n })
}

export async function readOnly(file: string) {
  return time(async () => { let n = 0; for await (const _l of readArchive(createReadStream(file), { maxUncompressedBytes: 2 ** 31 })) n++; return n })
}

export async function validateOnly(file: string, userId: number) {
  return time(async () => { let n = 0; for await (const _i of validatedRows(readArchive(createReadStream(file), { maxUncompressedBytes: 2 ** 31 }), { userId, tables: USER_DATA_TABLES })) n++; return n })
}

export async function validateAndSpool(file: string, userId: number) {
  const dir = await mkdtemp(join(tmpdir(), 'cofre-stages-'))
  try {
    return await time(() => spoolValidated(validatedRows(readArchive(createReadStream(file), { maxUncompressedBytes: 2 ** 31 }), { userId, tables: USER_DATA_TABLES }), { dir }))
  }
  finally { await rm(dir, { recursive: true, force: true }) }
}

/** Pass 1 as prepare() runs it: lines and rows in arrays, one per decompressed chunk. */
export async function validateAndSpoolBatched(file: string, userId: number) {
  const dir = await mkdtemp(join(tmpdir(), 'cofre-stages-'))
  try {
    return await time(() => spoolBatches(validatedBatches(readArchiveBatches(createReadStream(file), { maxUncompressedBytes: 2 ** 31 }), { userId, tables: USER_DATA_TABLES }), { dir }))
  }
  finally { await rm(dir, { recursive: true, force: true }) }
}

/**
 * A restore's safety backup without its upload: export + gzip, and (`diff`) the comparison with
 * the backup's spooled rows on the same read (snapshot-diff.ts). Alternates both, `runs` times.
 */
export async function safetyBackup(pool: mysql.Pool, file: string, userId: number, runs: number) {
  const dir = await mkdtemp(join(tmpdir(), 'cofre-stages-'))
  try {
    const spool = await spoolBatches(validatedBatches(readArchiveBatches(createReadStream(file), { maxUncompressedBytes: 2 ** 31 }), { userId, tables: USER_DATA_TABLES }), { dir })
    const out: { plain: number[], diff: number[] } = { plain: [], diff: [] }
    for (let i = 0; i < runs; i++) {
      for (const kind of ['plain', 'diff'] as const) {
        const tap = kind === 'diff' ? new SnapshotDiff({ ...spool, dir }) : undefined
        const t = performance.now()
        await pipeline(compose(Readable.from(rows(pool, userId, tap), { objectMode: false }), createGzip({ level: 1, chunkSize: 64 * 1024 })), sink())
        out[kind].push(performance.now() - t)
      }
    }
    return out
  }
  finally { await rm(dir, { recursive: true, force: true }) }
}

/** Pass 1 and pass 2 of a restore (no safety backup), with the replace's own step timings. */
export async function restore(pool: mysql.Pool, file: string, userId: number) {
  const dir = await mkdtemp(join(tmpdir(), 'cofre-stages-'))
  try {
    const spool = await time(() => spoolBatches(validatedBatches(readArchiveBatches(createReadStream(file), { maxUncompressedBytes: 2 ** 31 }), { userId, tables: USER_DATA_TABLES }), { dir }))
    const clock = new StageClock()
    const replace = await time(() => apply({ pool: pool.promise(), userId, tables: USER_DATA_TABLES, prepared: { ...spool.value, dir }, onProgress: clock.listen }))
    return { validateMs: spool.ms, replaceMs: replace.ms, stats: { ...clock.timings(), ...replace.value.changes.transactions } }
  }
  finally { await rm(dir, { recursive: true, force: true }) }
}

/**
 * The apply of a restore in which every transaction differs from the file (the bench's worst
 * case, keys kept): the rows are edited in place first (untimed), then the file's rows are
 * brought back: every transaction deleted and inserted. `overlap`: whether the next statement is
 * built while the server runs the current one (apply.ts StatementPipe).
 */
export async function applyEveryRowDifferent(pool: mysql.Pool, file: string, userId: number, overlap: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'cofre-stages-'))
  try {
    const spool = await spoolBatches(validatedBatches(readArchiveBatches(createReadStream(file), { maxUncompressedBytes: 2 ** 31 }), { userId, tables: USER_DATA_TABLES }), { dir })
    await pool.promise().query('UPDATE transactions SET description = CONCAT(LEFT(description, 180), \' ~\') WHERE user_id = ?', [userId])
    const clock = new StageClock()
    const r = await time(() => apply({ pool: pool.promise(), userId, tables: USER_DATA_TABLES, prepared: { ...spool, dir }, onProgress: clock.listen, overlap }))
    return { ms: r.ms, cpuMs: r.cpuMs, value: r.value.changes.transactions }
  }
  finally { await rm(dir, { recursive: true, force: true }) }
}
