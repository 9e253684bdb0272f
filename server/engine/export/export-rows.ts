import { createHash, type Hash } from 'node:crypto'
import type { Pool, PoolConnection } from 'mysql2'
import { FORMAT_NAME, FORMAT_VERSION, SCHEMA_VERSION, type FormatVersion, type Header, type Trailer } from '../format'
import type { TableSpec } from '../spec'
import { keySpans, lineOf, lineSelect, readLines, type KeySpan } from '../db/row-lines'
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
  /** One batch of rows: their primary keys (ascending) and each row's JSON text, as written to the file. */
  rows(keys: readonly number[], texts: readonly string[]): Promise<void>
  /** The table's read ended. */
  end(): Promise<void>
  /** The export failed: release what the tap holds. */
  abort(): void
}

export interface ExportResult { rowCounts: Record<string, number>, digest: string }

const getConnection = (pool: Pool) => new Promise<PoolConnection>((resolve, reject) => pool.getConnection((err, conn) => (err ? reject(err) : resolve(conn))))
const run = (conn: PoolConnection, sql: string) => new Promise<void>((resolve, reject) => conn.query(sql, err => (err ? reject(err) : resolve())))


/**
 * Serialized lines go straight into Buffers of about `chunkBytes`: measured 3x faster than growing
 * one string and encoding it with Buffer.from, whose cost grows with the string
 * (docs/performance.md). Full chunks wait in `ready` (digested) until the generator yields them.
 */
class ChunkWriter {
  private buf: Buffer
  private pos = 0
  readonly ready: Buffer[] = []
  constructor(private readonly chunkBytes: number, private readonly digest: Hash) { this.buf = Buffer.allocUnsafe(chunkBytes + 4096) }

  private room(need: number) {
    if (this.pos + need <= this.buf.length) return
    this.cut()
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need)
  }

  bytes(b: Buffer) {
    this.room(b.length)
    this.pos += b.copy(this.buf, this.pos)
  }

  text(s: string) {
    this.room(s.length * 3)
    this.pos += this.buf.write(s, this.pos)
  }

  /** Marks the end of a line: a chunk that reached `chunkBytes` becomes ready. */
  line() { if (this.pos >= this.chunkBytes) this.cut() }

  /** The bytes gathered so far become a ready chunk (digested). */
  cut() {
    if (!this.pos) return
    const out = this.buf.subarray(0, this.pos)
    this.digest.update(out)
    this.ready.push(out)
    this.buf = Buffer.allocUnsafe(this.chunkBytes + 4096)
    this.pos = 0
  }

  /** Hands over the ready chunks. */
  * drain() {
    while (this.ready.length) yield this.ready.shift()!
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
  // Format 1 wraps each row: {"t":"<table>","r":[…]}; format 2 writes the table once, then bare arrays.
  const LINE_END = Buffer.from(version === 1 ? '}\n' : '\n')
  let prefix: Buffer | undefined

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
    // Every table's row count and span of keys, in the snapshot: progress's exact total, and
    // what each table's read covers (row-lines.ts readLines).
    let spans: KeySpan[]
    try { spans = await keySpans(conn, o.tables, o.userId) }
    catch (err) { throw new DatabaseError('export.count', { cause: err }) }
    const expected = spans.reduce((sum, s) => sum + s.rows, 0)
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
    checkpoint(o, { stage: 'reading', done: 0, total: expected, unit: 'rows' })
    out.text(JSON.stringify(header) + '\n')
    out.line()
    yield* out.drain()

    for (const [t, table] of o.tables.entries()) {
      if (version === 1) prefix = Buffer.from(`{"t":${JSON.stringify(table.name)},"r":`)
      else out.text(`{"t":${JSON.stringify(table.name)}}\n`)
      let count = 0
      tap = o.tap?.table(table)
      const select = lineSelect(table, { withKey: !!tap })
      const { pieces, keyCol } = select
      const batches = readLines(conn, select, o.userId, spans[t]!)
      for (;;) {
        let next: IteratorResult<unknown[][]>
        try { next = await batches.next() }
        catch (err) { throw new DatabaseError(`export.${table.name}`, { cause: err }) }
        if (next.done) break
        const keys: number[] | undefined = tap ? [] : undefined
        const texts: string[] | undefined = tap ? [] : undefined
        for (const row of next.value) {
          count++
          if (prefix) out.bytes(prefix)
          const line = lineOf(row, pieces)
          out.text(line)
          out.bytes(LINE_END)
          out.line()
          // A full chunk goes downstream at once: a batch of long rows never piles up in memory.
          if (out.ready.length) yield* out.drain()
          if (texts) {
            texts.push(line)
            keys!.push(row[keyCol] as number)
          }
        }
        yield* out.drain()
        if (tap && texts) await tap.rows(keys!, texts)
        rowsRead += next.value.length
        checkpoint(o, { stage: 'reading', done: rowsRead, total: expected, unit: 'rows' })
      }
      // The same snapshot counted this table before reading it: rows read must be rows counted.
      if (count !== spans[t]!.rows) throw new DatabaseError(`export.${table.name}`, { cause: new Error(`read ${count} rows, counted ${spans[t]!.rows}`) })
      rowCounts[table.name] = count
      await tap?.end()
      tap = undefined
    }
    out.cut()
    yield* out.drain()
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
