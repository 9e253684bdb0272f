import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Connection as CoreConnection } from 'mysql2'
import type { Pool, PoolConnection, ResultSetHeader } from 'mysql2/promise'
import { BackupInvalidError, DatabaseError } from '../errors'
import type { TableSpec } from '../spec'
import { dbRowJson, insertTuple, jsonColumns, LineWriter, SpoolReader, type SpooledBackup, type SpooledRow, type SpooledTable } from './spool'

const q = (name: string) => `\`${name.replace(/`/g, '``')}\``

export interface ReplaceOptions {
  pool: Pool
  userId: number
  tables: readonly TableSpec[]
  /** The validated backup, spooled by pass 1 (spoolValidated). */
  spool: SpooledBackup
  /** A private temp directory for the lists of rows to delete and insert. */
  dir: string
  /** Rows per multi-row INSERT (and ids per DELETE). */
  batchRows?: number
  /** Called with the connection's thread id once the transaction is open (tests kill it). */
  onTransaction?: (threadId: number) => void
  /** Filled with the milliseconds spent per step and the rows changed (bench and logs). */
  stats?: ReplaceStats
}

export interface ReplaceStats {
  lockMs: number
  compareMs: number
  deleteMs: number
  insertMs: number
  commitMs: number
  unchanged: number
  deleted: number
  inserted: number
}

const STAT_KEYS = ['lockMs', 'compareMs', 'deleteMs', 'insertMs', 'commitMs', 'unchanged', 'deleted', 'inserted'] as const

/**
 * A statement never grows past this many characters (≤ 3 MB of UTF-8; max_allowed_packet is at
 * least 4 MB on MySQL 8 and MariaDB 10.11 by default).
 */
const MAX_STATEMENT_CHARS = 1024 * 1024

/**
 * Makes a user's rows equal to the backup's, in ONE transaction, changing only what differs:
 *  1. lock every row the user has (children first, as a DELETE would): `SELECT COUNT(*) … FOR
 *     UPDATE` through the owner index, at READ COMMITTED, locks the user's rows and no gaps (the
 *     caller keeps the user's own writes out meanwhile; other users' writes never wait);
 *  2. per table, read the user's rows in primary-key order and merge them with the spooled rows
 *     of the file (also in primary-key order): a row equal in both is left alone; a row only in
 *     the database, or different, is deleted; a row only in the file, or different, is inserted;
 *  3. delete by primary key (owner-guarded), insert in multi-row INSERTs, ids kept;
 *  4. check, from the rows the server reports deleted and inserted, that every table now holds
 *     exactly the file's number of rows; then commit.
 * Rows are compared as the SQL literals they would be inserted as, so "equal" means "re-inserting
 * it would store the same values". A table whose file lacks columns (older schema) is replaced
 * wholesale. No DDL and no TRUNCATE (both commit implicitly). Foreign-key checks are off for this
 * session only, because the validator already proved every reference resolves inside the backup
 * (and self references, like a category's parent, may point forward in id order). Any failure
 * rolls back everything.
 */
export async function replaceUserData(o: ReplaceOptions): Promise<Record<string, number>> {
  let conn: PoolConnection
  try { conn = await o.pool.getConnection() }
  catch (err) { throw new DatabaseError('restore.connect', { cause: err }) }
  const batchRows = o.batchRows ?? 5000
  const stats = (o.stats ?? {}) as ReplaceStats
  for (const k of STAT_KEYS) stats[k] ??= 0
  let clean = false
  try {
    await conn.query('SET SESSION foreign_key_checks = 0')
    // READ COMMITTED (for this one transaction): locking reads then lock only the rows they
    // return, never the index gaps around the user's range. Under REPEATABLE READ the lock below
    // also held the gap where OTHER users' new rows land, and their inserts waited for the whole
    // restore and failed. This transaction reads nothing it does not lock, so nothing is lost.
    await conn.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED')
    await conn.beginTransaction()
    o.onTransaction?.(conn.threadId!)

    let t0 = performance.now()
    const current = new Map<string, number>()
    for (const t of [...o.tables].reverse()) {
      // Only the owner index can answer this covering count, so only the user's range is locked
      // (a DELETE … WHERE owner = ? may choose a full scan for a big user and lock every row).
      const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM ${q(t.name)} WHERE ${q(t.ownerColumn)} = ? FOR UPDATE`, [o.userId]) as unknown as [{ n: number | string }[]]
      current.set(t.name, Number(rows[0]!.n))
    }
    stats.lockMs += performance.now() - t0

    for (const [i, t] of o.tables.entries()) {
      const spooled = o.spool.tables.find(s => s.spec.name === t.name)
      const changed = await syncTable(conn, t, spooled, current.get(t.name)!, { ...o, batchRows, stats, dir: join(o.dir, `sync-${i}`) })
      // The server's own counts (affected rows) must add up to the backup's: rows before − deleted
      // + inserted. (A COUNT(*) here cost seconds after a million deletes; this costs nothing.)
      const after = current.get(t.name)! - changed.deleted + changed.inserted
      if (after !== (spooled?.rows ?? 0)) throw new Error(`restore check: ${t.name} would have ${after} rows, the backup ${spooled?.rows ?? 0}`)
    }

    t0 = performance.now()
    await conn.commit()
    stats.commitMs += performance.now() - t0
    clean = true
    return o.spool.rowCounts
  }
  catch (err) {
    await conn.rollback().catch(() => {})
    if (err instanceof BackupInvalidError) throw err
    const code = (err as { code?: string }).code
    // An id in the file already belongs to another user's row: the file is not this user's data.
    if (code === 'ER_DUP_ENTRY') throw new BackupInvalidError('duplicate_key', 'a row id belongs to another user')
    throw new DatabaseError('restore.replace', { cause: err })
  }
  finally {
    if (clean) {
      await conn.query('SET SESSION foreign_key_checks = 1').then(() => conn.release(), () => conn.destroy())
    }
    else conn.destroy()
  }
}

interface SyncOptions { userId: number, batchRows: number, stats: ReplaceStats, dir: string }

async function syncTable(conn: PoolConnection, t: TableSpec, spooled: SpooledTable | undefined, currentRows: number, o: SyncOptions): Promise<{ deleted: number, inserted: number }> {
  // Nothing in the database: every spooled row is inserted, straight from the spool.
  if (currentRows === 0) return { deleted: 0, inserted: spooled ? await insertRows(conn, spooled, spooled.path, o) : 0 }
  const compare = spooled?.complete === true
  await mkdir(o.dir, { recursive: true })
  const delPath = join(o.dir, 'delete.jsonl')
  const insPath = join(o.dir, 'insert.jsonl')
  const dels = new LineWriter(delPath)
  const ins = new LineWriter(insPath)
  let toDelete = 0
  let toInsert = 0
  const t0 = performance.now()
  try {
    // Without comparison (no file rows, or a file of an older shape) only the ids are needed.
    const columns = compare ? spooled!.columns : [t.primaryKey]
    const pkIdx = columns.indexOf(t.primaryKey)
    const json = compare ? jsonColumns(spooled!) : []
    const file = compare ? new SpoolReader(spooled!.path) : undefined
    try {
      let f: SpooledRow | null | undefined = file ? await file.next() : undefined
      // The promise connection wraps a callback one, which can stream a result.
      const core = conn.connection as unknown as CoreConnection
      const sql = `SELECT ${columns.map(q).join(', ')} FROM ${q(t.name)} WHERE ${q(t.ownerColumn)} = ? ORDER BY ${q(t.primaryKey)}`
      let wait: Promise<void> | undefined
      for await (const batch of rowBatches(core, sql, [o.userId])) {
        for (const row of batch) {
          const pk = row[pkIdx] as number
          while (f && f.pk < pk) {
            if ((wait = ins.write(`${f.pk}\t${f.json}\n`))) await wait
            toInsert++
            if ((f = file!.take()) === null) f = await file!.next()
          }
          if (f && f.pk === pk) {
            if (f.json === dbRowJson(row, json)) o.stats.unchanged++
            else {
              if ((wait = dels.write(`${pk}\t\n`))) await wait
              if ((wait = ins.write(`${f.pk}\t${f.json}\n`))) await wait
              toDelete++
              toInsert++
            }
            if ((f = file!.take()) === null) f = await file!.next()
          }
          else {
            if ((wait = dels.write(`${pk}\t\n`))) await wait
            toDelete++
          }
        }
      }
      while (f) {
        if ((wait = ins.write(`${f.pk}\t${f.json}\n`))) await wait
        toInsert++
        f = await file!.next()
      }
    }
    finally { await file?.close() }
    await dels.end()
    await ins.end()
  }
  catch (err) {
    dels.destroy()
    ins.destroy()
    throw err
  }
  o.stats.compareMs += performance.now() - t0

  const deleted = toDelete ? await deleteIds(conn, t, delPath, o) : 0
  let inserted = 0
  if (compare) { if (toInsert) inserted = await insertRows(conn, spooled!, insPath, o) }
  else if (spooled) inserted = await insertRows(conn, spooled, spooled.path, o)
  return { deleted, inserted }
}

/** Deletes the listed ids of the user's rows; returns the rows the server deleted. */
async function deleteIds(conn: PoolConnection, t: TableSpec, path: string, o: SyncOptions): Promise<number> {
  const t0 = performance.now()
  const r = new SpoolReader(path)
  let affected = 0
  try {
    let ids: number[] = []
    const flush = async () => {
      if (!ids.length) return
      // The ids were read from this user's rows a moment ago (numbers from the database); the
      // owner condition keeps the statement to this user whatever happens.
      const [res] = await conn.query(`DELETE FROM ${q(t.name)} WHERE ${q(t.ownerColumn)} = ? AND ${q(t.primaryKey)} IN (${ids.join(',')})`, [o.userId])
      affected += (res as ResultSetHeader).affectedRows
      o.stats.deleted += ids.length
      ids = []
    }
    for (let row = await r.next(); row !== undefined; row = await r.next()) {
      if (!Number.isSafeInteger(row.pk)) throw new Error(`restore: unexpected id ${row.pk}`)
      ids.push(row.pk)
      if (ids.length >= o.batchRows) await flush()
    }
    await flush()
  }
  finally { await r.close() }
  o.stats.deleteMs += performance.now() - t0
  return affected
}

/** Multi-row INSERTs of up to batchRows rows (and MAX_STATEMENT_CHARS) from a spool-format file; returns the rows the server inserted. */
async function insertRows(conn: PoolConnection, spooled: SpooledTable, path: string, o: SyncOptions): Promise<number> {
  let affected = 0
  const t0 = performance.now()
  const insertSql = `INSERT INTO ${q(spooled.spec.name)} (${[spooled.spec.ownerColumn, ...spooled.columns].map(q).join(',')}) VALUES `
  const json = jsonColumns(spooled)
  const r = new SpoolReader(path)
  try {
    let tuples: string[] = []
    let chars = 0
    const flush = async () => {
      if (!tuples.length) return
      const [res] = await conn.query(insertSql + tuples.join(','))
      affected += (res as ResultSetHeader).affectedRows
      o.stats.inserted += tuples.length
      tuples = []
      chars = 0
    }
    for (let row = await r.next(); row !== undefined; row = await r.next()) {
      const tuple = insertTuple(o.userId, JSON.parse(row.json) as unknown[], json)
      if (chars + tuple.length > MAX_STATEMENT_CHARS) await flush()
      tuples.push(tuple)
      chars += tuple.length + 1
      if (tuples.length >= o.batchRows) await flush()
    }
    await flush()
  }
  finally { await r.close() }
  o.stats.insertMs += performance.now() - t0
  return affected
}

/** Rows queued before the connection is paused (backpressure from the comparison). */
const MAX_QUEUED_ROWS = 8192

/**
 * Runs `sql` and yields its rows (rowsAsArray) in batches, as mysql2 parses them: one await per
 * batch instead of a promise per row. The connection is paused while MAX_QUEUED_ROWS wait.
 */
async function* rowBatches(core: CoreConnection, sql: string, values: unknown[]): AsyncGenerator<unknown[][]> {
  let batch: unknown[][] = []
  let done = false
  let failure: Error | undefined
  let wake: (() => void) | undefined
  let paused = false
  const signal = () => { const w = wake; wake = undefined; w?.() }
  const fail = (err: Error) => { failure ??= err; signal() }
  const query = core.query({ sql, values, rowsAsArray: true })
  query.on('result', (row) => {
    batch.push(row as unknown as unknown[])
    if (batch.length >= MAX_QUEUED_ROWS && !paused) { paused = true; core.pause() }
    if (batch.length === 1) signal()
  })
  query.on('error', err => fail(err))
  query.on('end', () => { done = true; signal() })
  // A fatal connection error (e.g. KILL) reaches the connection, not always the query: listen
  // there too, or the restore would wait forever.
  const onConnError = (err: Error) => fail(err)
  const onConnEnd = () => fail(new Error('connection closed during restore'))
  core.once('error', onConnError)
  core.once('end', onConnEnd)
  try {
    for (;;) {
      if (failure) throw failure
      if (batch.length) {
        const rows = batch
        batch = []
        if (paused) { paused = false; core.resume() }
        yield rows
        continue
      }
      if (done) return
      await new Promise<void>((resolve) => { wake = resolve })
    }
  }
  finally {
    core.removeListener('error', onConnError)
    core.removeListener('end', onConnEnd)
    if (paused) core.resume()
  }
}
