import { createHash, type Hash } from 'node:crypto'
import type { Pool, PoolConnection } from 'mysql2'
import { FORMAT_NAME, FORMAT_VERSION, SCHEMA_VERSION, type FormatVersion, type Header, type Trailer } from '../format'
import type { TableSpec } from '../spec'
import { rowBatches } from '../db/row-stream'
import { quoteIdent as q } from '../db/sql'
import { DatabaseError } from '../errors'
import { checkpoint, type Observed } from '../progress'

export interface ExportOptions extends Observed {
  pool: Pool
  userId: number
  backupId: string
  tables: readonly TableSpec[]
  app: { name: string, version: string }
  /** The lines' layout: format 2 (default where zstd works) or 1 (docs/backup-format.md). */
  formatVersion?: FormatVersion
  now?: Date
  /** The caller's estimate of the rows to read (for progress; 0 or absent when unknown). */
  expectedRows?: number
  /** Bytes of serialized lines gathered before one write downstream (batched: a write per row is ~10x slower). */
  chunkBytes?: number
  /** Sees every row read, with its JSON text: lets a restore compare the file with this read (restore/snapshot-diff.ts). */
  tap?: RowTap
}

/** Something that wants the exported rows too, table by table. */
export interface RowTap {
  /** Called as a table's read starts; undefined when this table's rows are not wanted. */
  table(spec: TableSpec): TableTap | undefined
}

export interface TableTap {
  /** One batch of rows (ascending key, JSON columns parsed) and each row's JSON text, as written to the file. */
  rows(batch: readonly unknown[][], texts: readonly string[]): Promise<void>
  /** The table's read ended. */
  end(): Promise<void>
  /** The export failed: release what the tap holds. */
  abort(): void
}

export interface ExportResult { rowCounts: Record<string, number>, digest: string }

const getConnection = (pool: Pool) => new Promise<PoolConnection>((resolve, reject) => pool.getConnection((err, conn) => (err ? reject(err) : resolve(conn))))
const run = (conn: PoolConnection, sql: string) => new Promise<void>((resolve, reject) => conn.query(sql, err => (err ? reject(err) : resolve())))


/**
 * Serialized lines go straight into Buffers of about `chunkBytes` (Buffer.write per row): measured
 * 3x faster than growing one string and encoding it with Buffer.from, whose cost grows with the
 * string (docs/performance.md).
 */
class ChunkWriter {
  private buf: Buffer
  private pos = 0
  constructor(private readonly chunkBytes: number, private readonly digest: Hash) { this.buf = Buffer.allocUnsafe(chunkBytes + 4096) }

  /** Appends `head` (bytes), the UTF-8 of `text`, then `tail`; returns a full chunk when one is ready. */
  append(head: Buffer, text: string, tail: Buffer): Buffer | undefined {
    const need = head.length + text.length * 3 + tail.length
    let full: Buffer | undefined
    if (this.pos + need > this.buf.length) {
      full = this.take()
      if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need)
    }
    this.pos += head.copy(this.buf, this.pos)
    this.pos += this.buf.write(text, this.pos)
    this.pos += tail.copy(this.buf, this.pos)
    if (!full && this.pos >= this.chunkBytes) full = this.take()
    return full
  }

  /** The bytes gathered so far (digested), or undefined if none. */
  take(): Buffer | undefined {
    if (!this.pos) return undefined
    const out = this.buf.subarray(0, this.pos)
    this.digest.update(out)
    this.buf = Buffer.allocUnsafe(this.chunkBytes + 4096)
    this.pos = 0
    return out
  }
}

/**
 * Streams one user's rows out of MySQL as backup lines (uncompressed), from ONE consistent
 * snapshot: a read-only REPEATABLE READ transaction opened WITH CONSISTENT SNAPSHOT, so rows
 * changed while the export runs appear either entirely before or entirely after the change.
 * Yields Buffers of about `chunkBytes`; `result` is filled when the generator finishes.
 */
export async function* exportUserRows(o: ExportOptions, result: Partial<ExportResult> = {}): AsyncGenerator<Buffer> {
  const chunkBytes = o.chunkBytes ?? 256 * 1024
  const digest = createHash('sha256')
  const rowCounts: Record<string, number> = {}
  const out = new ChunkWriter(chunkBytes, digest)
  const version = o.formatVersion ?? FORMAT_VERSION
  const NONE = Buffer.alloc(0)
  // Format 1 wraps each row: {"t":"<table>","r":[…]}; format 2 writes the table once, then bare arrays.
  const LINE_END = Buffer.from(version === 1 ? '}\n' : '\n')

  let conn: PoolConnection
  try {
    conn = await getConnection(o.pool)
    await run(conn, 'SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ')
    await run(conn, 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY')
  }
  catch (err) { throw new DatabaseError('export.begin', { cause: err }) }

  let ok = false
  let tap: TableTap | undefined
  try {
    const header: Header = {
      type: 'header',
      format: FORMAT_NAME,
      version,
      schemaVersion: SCHEMA_VERSION,
      createdAt: (o.now ?? new Date()).toISOString(),
      userId: o.userId,
      backupId: o.backupId,
      app: o.app,
      tables: o.tables.map(t => ({ name: t.name, primaryKey: t.primaryKey, columns: t.columns.map(c => ({ name: c.name, type: c.kind, nullable: c.nullable })) })),
    }
    let rowsRead = 0
    checkpoint(o, { stage: 'reading', done: 0, total: o.expectedRows ?? 0, unit: 'rows' })
    const first = out.append(NONE, JSON.stringify(header) + '\n', NONE)
    if (first) yield first

    for (const table of o.tables) {
      const jsonIdx = table.columns.flatMap((c, i) => (c.kind === 'json' ? [i] : []))
      const prefix = version === 1 ? Buffer.from(`{"t":${JSON.stringify(table.name)},"r":`) : NONE
      if (version !== 1) {
        const start = out.append(NONE, `{"t":${JSON.stringify(table.name)}}\n`, NONE)
        if (start) yield start
      }
      const sql = `SELECT ${table.columns.map(c => q(c.name)).join(', ')} FROM ${q(table.name)} WHERE ${q(table.ownerColumn)} = ? ORDER BY ${q(table.primaryKey)}`
      let count = 0
      tap = o.tap?.table(table)
      const batches = rowBatches(conn, sql, [o.userId])
      for (;;) {
        let next: IteratorResult<unknown[][]>
        try { next = await batches.next() }
        catch (err) { throw new DatabaseError(`export.${table.name}`, { cause: err }) }
        if (next.done) break
        const texts: string[] | undefined = tap ? [] : undefined
        for (const row of next.value) {
          // mysql2 parses JSON columns (MySQL 8, and MariaDB's via its extended metadata); a
          // server that sends them as text gets them parsed here, so the file holds JSON values.
          for (const i of jsonIdx) if (typeof row[i] === 'string') row[i] = JSON.parse(row[i] as string)
          count++
          const text = JSON.stringify(row)
          texts?.push(text)
          const chunk = out.append(prefix, text, LINE_END)
          if (chunk) yield chunk
        }
        if (tap && texts) await tap.rows(next.value, texts)
        rowsRead += next.value.length
        checkpoint(o, { stage: 'reading', done: rowsRead, total: Math.max(rowsRead, o.expectedRows ?? 0), unit: 'rows' })
      }
      rowCounts[table.name] = count
      await tap?.end()
      tap = undefined
    }
    const rest = out.take()
    if (rest) yield rest
    const trailer: Trailer = { type: 'trailer', rowCounts, digest: `sha256:${digest.digest('hex')}` }
    const last = Buffer.from(JSON.stringify(trailer) + '\n', 'utf8')
    result.rowCounts = rowCounts
    result.digest = trailer.digest
    yield last
    ok = true
  }
  finally {
    if (!ok) tap?.abort()
    // COMMIT of a read-only snapshot only ends it; on failure the connection may be dead.
    if (ok) await run(conn, 'COMMIT').catch(() => {})
    if (ok) conn.release()
    else conn.destroy()
  }
}
