import { createHash } from 'node:crypto'
import type { Pool, PoolConnection } from 'mysql2'
import { FORMAT_NAME, FORMAT_VERSION, SCHEMA_VERSION, type Header, type Trailer } from '../format'
import type { TableSpec } from '../spec'
import { DatabaseError } from '../errors'

export interface ExportOptions {
  pool: Pool
  userId: number
  backupId: string
  tables: readonly TableSpec[]
  app: { name: string, version: string }
  now?: Date
  /** Bytes of serialized lines gathered before one write downstream (STACK.md: batch, don't write per row). */
  chunkBytes?: number
}

export interface ExportResult { rowCounts: Record<string, number>, digest: string }

const getConnection = (pool: Pool) => new Promise<PoolConnection>((resolve, reject) => pool.getConnection((err, conn) => (err ? reject(err) : resolve(conn))))
const run = (conn: PoolConnection, sql: string) => new Promise<void>((resolve, reject) => conn.query(sql, err => (err ? reject(err) : resolve())))

const q = (name: string) => `\`${name.replace(/`/g, '``')}\``

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
  let pending = ''
  const flush = () => {
    const buf = Buffer.from(pending, 'utf8')
    digest.update(buf)
    pending = ''
    return buf
  }

  let conn: PoolConnection
  try {
    conn = await getConnection(o.pool)
    await run(conn, 'SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ')
    await run(conn, 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY')
  }
  catch (err) { throw new DatabaseError('export.begin', { cause: err }) }

  let ok = false
  try {
    const header: Header = {
      type: 'header',
      format: FORMAT_NAME,
      version: FORMAT_VERSION,
      schemaVersion: SCHEMA_VERSION,
      createdAt: (o.now ?? new Date()).toISOString(),
      userId: o.userId,
      backupId: o.backupId,
      app: o.app,
      tables: o.tables.map(t => ({ name: t.name, primaryKey: t.primaryKey, columns: t.columns.map(c => ({ name: c.name, type: c.kind, nullable: c.nullable })) })),
    }
    pending += JSON.stringify(header) + '\n'

    for (const table of o.tables) {
      const jsonIdx = table.columns.flatMap((c, i) => (c.kind === 'json' ? [i] : []))
      const prefix = `{"t":${JSON.stringify(table.name)},"r":`
      const sql = `SELECT ${table.columns.map(c => q(c.name)).join(', ')} FROM ${q(table.name)} WHERE ${q(table.ownerColumn)} = ? ORDER BY ${q(table.primaryKey)}`
      const stream = conn.query({ sql, rowsAsArray: true, values: [o.userId] }).stream({ highWaterMark: 1000 })
      // mysql2 reports a fatal connection error (e.g. the connection was KILLed) to the
      // connection, not to a query that has no callback: forward it, or the stream hangs forever.
      const onConnError = (err: Error) => stream.destroy(err)
      const onConnEnd = () => stream.destroy(new Error('connection closed during export'))
      conn.once('error', onConnError)
      conn.once('end', onConnEnd)
      let count = 0
      try {
        for await (const row of stream as AsyncIterable<unknown[]>) {
          // MariaDB returns JSON columns as text, MySQL 8 as parsed values: normalize to values.
          for (const i of jsonIdx) if (typeof row[i] === 'string') row[i] = JSON.parse(row[i] as string)
          pending += prefix + JSON.stringify(row) + '}\n'
          count++
          if (pending.length >= chunkBytes) yield flush()
        }
      }
      catch (err) { throw new DatabaseError(`export.${table.name}`, { cause: err }) }
      finally {
        conn.removeListener('error', onConnError)
        conn.removeListener('end', onConnEnd)
      }
      rowCounts[table.name] = count
    }
    if (pending.length) yield flush()
    const trailer: Trailer = { type: 'trailer', rowCounts, digest: `sha256:${digest.digest('hex')}` }
    const last = Buffer.from(JSON.stringify(trailer) + '\n', 'utf8')
    result.rowCounts = rowCounts
    result.digest = trailer.digest
    yield last
    ok = true
  }
  finally {
    // COMMIT of a read-only snapshot only ends it; on failure the connection may be dead.
    if (ok) await run(conn, 'COMMIT').catch(() => {})
    if (ok) conn.release()
    else conn.destroy()
  }
}
