import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import mysql, { type Connection as CoreConnection } from 'mysql2'
import type { Pool, PoolConnection, ResultSetHeader } from 'mysql2/promise'
import { quoteIdent as q } from '../db/sql'
import { BackupInvalidError, DatabaseError, mysqlErrorCode } from '../errors'
import { checkpoint, type Observed } from '../progress'
import type { TableSpec } from '../spec'
import { mergeSorted } from './merge'
import { jsonColumns } from './row-json'
import { lineOf, lineSelect, readTableLines } from '../db/row-lines'
import type { SpooledBackup, SpooledTable } from './spool'
import { EditFiles, type TableEdits } from './edit-files'
import { SpoolReader } from './spool-format'

export interface ApplyOptions extends Observed {
  pool: Pool
  userId: number
  tables: readonly TableSpec[]
  /** The validated backup (prepare()): its spooled rows and a private temp directory. */
  prepared: SpooledBackup & { dir: string }
  /**
   * Per table, the edits already computed from the safety backup's read of the same rows
   * (snapshot-diff.ts); used where the table's row count under lock still matches.
   */
  edits?: ReadonlyMap<string, TableEdits>
  /** Rows per multi-row INSERT (and ids per DELETE). */
  batchRows?: number
  /**
   * Build the next statement while the server runs the current one (default). false waits for
   * each statement before building the next, as before: kept for bench/stages.mjs's comparison.
   */
  overlap?: boolean
  /**
   * A statement run inside the transaction right before COMMIT: the restore commits only if it
   * changes exactly one row, else it rolls back with CommitRefused. The caller records its outcome
   * in the same transaction (a job's row marked completed, guarded by who may still complete it),
   * so the data and that record never disagree. `also` runs after it, in the same transaction
   * (what else records the outcome: the restored backup's mark, the audit entry).
   */
  commitIf?: { sql: string, values: unknown[], also?: { sql: string, values: unknown[] }[] }
}

/** The commitIf statement changed no row: the transaction was rolled back, nothing changed. */
export class CommitRefused extends Error {
  constructor() { super('commit refused: the restore is no longer to be committed') }
}

export interface TableChanges { unchanged: number, deleted: number, inserted: number, updated: number }

export interface ApplyResult {
  /** Rows per table after the restore (the backup's counts). */
  restored: Record<string, number>
  changes: Record<string, TableChanges>
}

/**
 * A statement never grows past this many characters (≤ 3 MB of UTF-8; max_allowed_packet is at
 * least 4 MB on MySQL 8 and MariaDB 10.11 by default).
 */
const MAX_STATEMENT_CHARS = 1024 * 1024

/**
 * The apply stage: ONE transaction that makes a user's rows equal to the prepared backup's,
 * changing only what differs:
 *  1. count the user's rows per table (children first, as a DELETE would). A table whose edits
 *     the safety backup's read already found (`edits`, snapshot-diff.ts) is only counted: the
 *     write gate has kept its rows as they were read, and its DELETEs lock the rows they remove.
 *     Every other table is locked whole: `SELECT COUNT(*) … FOR UPDATE` through the owner index,
 *     at READ COMMITTED, locks the user's rows and no gaps (other users' writes never wait);
 *  2. per table, the edits found during the safety backup if the table still holds the rows
 *     compared then; otherwise (lock the table if it was only counted, then) merge the user's rows
 *     (read in key order) with the spooled ones (merge.ts) into keys to delete and rows to insert;
 *  3. delete by primary key (owner-guarded), insert in multi-row INSERTs, ids kept;
 *  4. check, from the rows the server reports deleted and inserted, that every table now holds
 *     exactly the file's number of rows; then commit.
 * A table whose file lacks columns (older schema) is replaced wholesale. No DDL and no TRUNCATE
 * (both commit implicitly). Foreign-key checks are off for this session only, because the
 * validator already proved every reference resolves inside the backup (and self references, like
 * a category's parent, may point forward in key order). Any failure rolls everything back.
 */
export async function apply(o: ApplyOptions): Promise<ApplyResult> {
  let conn: PoolConnection
  try { conn = await o.pool.getConnection() }
  catch (err) { throw new DatabaseError('restore.connect', { cause: err }) }
  const batchRows = o.batchRows ?? 5000
  // Rows handled: each row compared, then each row deleted, updated or inserted. The total starts as every
  // row of both sides (all compared) and is corrected once a table's comparison says how many it
  // will delete and insert, so `done` never passes it.
  let total = 0
  let done = 0
  const progress = (rows: number, more = 0) => {
    done += rows
    total += more
    checkpoint(o, { stage: 'applying', done, total, unit: 'rows' })
  }
  let clean = false
  try {
    await conn.query('SET SESSION foreign_key_checks = 0')
    // READ COMMITTED (for this one transaction): locking reads then lock only the rows they
    // return, never the index gaps around the user's range. Under REPEATABLE READ the lock below
    // also held the gap where OTHER users' new rows land, and their inserts waited for the whole
    // restore and failed. The rows this transaction compares it locks first, so nothing is lost.
    await conn.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED')
    await conn.beginTransaction()
    progress(0)

    const current = new Map<string, number>()
    for (const t of [...o.tables].reverse()) {
      // Locking all of a million rows measured 2–4.6 s against 0.4 s for the count alone; it
      // guards nothing the write gate does not already guard once the edits come from the read
      // the safety backup made inside the restore window.
      const lock = !o.edits?.has(t.name)
      current.set(t.name, await countRows(conn, t, o.userId, lock))
    }
    progress(0, [...current.values()].reduce((a, b) => a + b, 0) + Object.values(o.prepared.rowCounts).reduce((a, b) => a + b, 0))

    const changes: Record<string, TableChanges> = {}
    for (const [i, t] of o.tables.entries()) {
      const spooled = o.prepared.tables.find(s => s.spec.name === t.name)
      let before = current.get(t.name) ?? 0
      let known = o.edits?.get(t.name)
      // The safety backup's edits hold while the table has the rows it compared (snapshot-diff.ts
      // says why it does); if not — or if the file has another shape — lock the table and compare
      // its rows here.
      if (known && (known.compared !== before || (spooled && !spooled.complete))) {
        known = undefined
        const counted = before
        before = await countRows(conn, t, o.userId, true)
        progress(0, before - counted)
      }
      const c = await syncTable(conn, t, spooled, before, { userId: o.userId, batchRows, overlap: o.overlap ?? true, dir: join(o.prepared.dir, `sync-${i}`), progress, known })
      // The server's own counts (affected rows) must add up to the backup's: rows before − deleted
      // + inserted. (A COUNT(*) here cost seconds after a million deletes; this costs nothing.)
      const after = before - c.deleted + c.inserted
      if (after !== (spooled?.rows ?? 0)) throw new Error(`restore check: ${t.name} would have ${after} rows, the backup ${spooled?.rows ?? 0}`)
      changes[t.name] = c
    }

    // The last moment a cancel can still leave the data as it was.
    o.signal?.throwIfAborted()
    if (o.commitIf) {
      const [res] = await conn.query<ResultSetHeader>(o.commitIf.sql, o.commitIf.values)
      if (res.affectedRows !== 1) throw new CommitRefused()
      for (const st of o.commitIf.also ?? []) await conn.query(st.sql, st.values)
    }
    await conn.commit()
    clean = true
    o.onProgress?.({ stage: 'applying', done, total, unit: 'rows' })
    return { restored: o.prepared.rowCounts, changes }
  }
  catch (err) {
    await conn.rollback().catch(() => {})
    if (err instanceof BackupInvalidError || err instanceof CommitRefused || o.signal?.aborted) throw err
    // An id in the file already belongs to another user's row: the file is not this user's data.
    if (mysqlErrorCode(err) === 'ER_DUP_ENTRY') throw new BackupInvalidError('duplicate_key', 'a row id belongs to another user')
    throw new DatabaseError('restore.replace', { cause: err })
  }
  finally {
    if (clean) await conn.query('SET SESSION foreign_key_checks = 1').then(() => conn.release(), () => conn.destroy())
    else conn.destroy()
  }
}

interface SyncOptions { userId: number, batchRows: number, overlap: boolean, dir: string, progress: (rows: number, more?: number) => void, known?: TableEdits }

async function syncTable(conn: PoolConnection, t: TableSpec, spooled: SpooledTable | undefined, currentRows: number, o: SyncOptions): Promise<TableChanges> {
  // Nothing in the database: every spooled row is inserted, straight from the spool.
  if (currentRows === 0) {
    const inserted = spooled ? await insertRows(conn, spooled, spooled.path, o) : 0
    return { unchanged: 0, deleted: 0, inserted, updated: 0 }
  }
  // The file of the table's full shape can be compared row by row; otherwise (no rows in the
  // file, or an older shape) every current row goes and the file's rows come in.
  const compared = spooled?.complete ? spooled : undefined
  // Edits found while the safety backup read these rows (apply() checked that they still hold).
  // Counted up front: this table's rows on both sides; known now: the rows to delete and insert.
  if (o.known) o.progress(0, o.known.toDelete + o.known.toInsert + o.known.toUpdate - currentRows - (spooled?.rows ?? 0))
  const edits = o.known ?? await compareTable(conn, t, spooled, compared, currentRows, o)
  const deleted = edits.toDelete ? await deleteKeys(conn, t, edits.deletePath, o) : 0
  // A changed row is updated in place: measured 2–3x faster than deleting and inserting it again
  // (only the changed columns' index entries move; docs/performance.md).
  if (edits.toUpdate && !compared) throw new Error(`restore check: ${t.name} has rows to update but no file of its shape`)
  const updated = compared && edits.toUpdate ? await updateRows(conn, compared, edits.updatePath, o) : 0
  let inserted = 0
  if (compared) inserted = edits.toInsert ? await insertRows(conn, compared, edits.insertPath, o) : 0
  else if (spooled) inserted = await insertRows(conn, spooled, spooled.path, o)
  return { unchanged: edits.unchanged, deleted, inserted, updated }
}

/**
 * The user's rows in a table, counted through the owner index; with `lock`, every one of them
 * locked until the commit (only the owner index can answer this covering count, so only the
 * user's rows are locked: a DELETE … WHERE owner = ? may choose a full scan for a big user and
 * lock every row).
 */
async function countRows(conn: PoolConnection, t: TableSpec, userId: number, lock: boolean): Promise<number> {
  const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM ${q(t.name)} WHERE ${q(t.ownerColumn)} = ?${lock ? ' FOR UPDATE' : ''}`, [userId]) as unknown as [{ n: number | string }[]]
  return Number(rows[0]?.n ?? 0)
}

/** Merges the user's rows, read in this transaction, with the spooled file's into edit files. */
async function compareTable(conn: PoolConnection, t: TableSpec, spooled: SpooledTable | undefined, compared: SpooledTable | undefined, currentRows: number, o: SyncOptions): Promise<TableEdits> {
  await mkdir(o.dir, { recursive: true, mode: 0o700 })
  // The promise connection wraps a callback one, which can stream a result.
  const core = conn.connection as unknown as CoreConnection
  // Each row's line as the file holds it (row-lines.ts), and its key.
  const select = lineSelect(t, { columns: compared ? compared.columns : [t.primaryKey], withKey: true })
  const dbRows = readTableLines(core, t, select, o.userId)
  const file = compared ? new SpoolReader(compared.path) : { take: () => undefined, fill: async () => {} }
  const out = new EditFiles(o.dir, 'compare', t.updatesInPlace)
  let keys = 0
  try {
    for await (const edits of mergeSorted(dbRows, file, { pk: row => row[select.keyCol] as number, json: row => lineOf(row, select.pieces) })) {
      await out.write(edits)
      keys += edits.length
      o.progress(edits.length)
    }
    const c = await out.end()
    // Counted up front: this table's rows on both sides. Now known: the keys compared, and the
    // rows to delete, to update and to insert.
    const inserts = compared ? c.toInsert : spooled?.rows ?? 0
    o.progress(0, keys - currentRows - (spooled?.rows ?? 0) + c.toDelete + c.toUpdate + inserts)
    return c
  }
  catch (err) {
    out.destroy()
    throw err
  }
  finally { if (file instanceof SpoolReader) await file.close() }
}

/**
 * Runs a table's statements one at a time on the transaction's connection, but lets the caller
 * build the next one (read the spool, parse, escape) while the server executes the current:
 * on two cores the database and the main thread then work at the same time instead of in turn.
 * At most one statement is in flight; a failure is thrown by the next send() or by drain().
 */
class StatementPipe {
  private inFlight: Promise<void> | undefined
  private failure: unknown
  affected = 0
  constructor(private readonly conn: PoolConnection, private readonly done: (rows: number) => void, private readonly overlap = true) {}

  async send(sql: string, values: unknown[] | undefined, rows: number): Promise<void> {
    await this.drain()
    // A failure — the statement's, or the progress callback's (a cancelled job throws there) —
    // is caught at once (no unhandled rejection while the next one is built) and rethrown by the
    // next send() or drain().
    this.inFlight = this.conn.query(sql, values).then(([res]) => {
      this.affected += (res as ResultSetHeader).affectedRows
      this.done(rows)
    }).catch((err: unknown) => { this.failure ??= err })
    if (!this.overlap) await this.drain()
  }

  async drain(): Promise<void> {
    const pending = this.inFlight
    this.inFlight = undefined
    if (pending) await pending
    if (this.failure) throw this.failure
  }
}

/** Deletes the listed keys of the user's rows; returns the rows the server deleted. */
async function deleteKeys(conn: PoolConnection, t: TableSpec, path: string, o: SyncOptions): Promise<number> {
  const r = new SpoolReader(path)
  const pipe = new StatementPipe(conn, o.progress, o.overlap)
  try {
    let ids: number[] = []
    const flush = async () => {
      if (!ids.length) return
      // The keys were read from this user's rows a moment ago (numbers from the database); the
      // owner condition keeps the statement to this user whatever happens.
      await pipe.send(`DELETE FROM ${q(t.name)} WHERE ${q(t.ownerColumn)} = ? AND ${q(t.primaryKey)} IN (${ids.join(',')})`, [o.userId], ids.length)
      ids = []
    }
    for (let row = await r.next(); row !== undefined; row = await r.next()) {
      if (!Number.isSafeInteger(row.pk)) throw new Error(`restore: unexpected id ${row.pk}`)
      ids.push(row.pk)
      if (ids.length >= o.batchRows) await flush()
    }
    await flush()
    await pipe.drain()
  }
  finally {
    // Never leave a statement running on a connection that is about to roll back or be reused.
    await pipe.drain().catch(() => {})
    await r.close()
  }
  return pipe.affected
}

const escape = (v: unknown) => mysql.escape(v as Parameters<typeof mysql.escape>[0])

/**
 * The row as an SQL VALUES tuple `(<owner>,<v1>,…)`, for a multi-row INSERT. Values are escaped
 * by mysql2's own escaper — the code that formats `?` placeholders — so nothing from the file
 * reaches SQL unescaped. JSON columns hold parsed values and are stored as their JSON text; null
 * is SQL NULL; numbers are the validator's safe integers.
 */
export function insertTuple(owner: number, row: unknown[], json: readonly boolean[]): string {
  let s = `(${owner}`
  for (let i = 0; i < row.length; i++) s += `,${sqlValue(row[i], json[i])}`
  return `${s})`
}

function sqlValue(v: unknown, json: boolean | undefined): string {
  if (v === null || v === undefined) return 'NULL'
  if (json) return escape(JSON.stringify(v))
  if (typeof v === 'number') return String(v)
  return escape(v)
}

/** Rows per UPDATE: each row is a SELECT of the derived table's UNION ALL. */
const UPDATE_BATCH_ROWS = 1000

/**
 * Updates the user's rows listed in a spool-format file to the file's values, in place:
 *   UPDATE t AS dst JOIN (SELECT <pk> AS id, <v> AS c, … UNION ALL SELECT …) AS src
 *     ON dst.id = src.id SET dst.c = src.c, … WHERE dst.owner = ?
 * (portable to MySQL 8 and MariaDB; values escaped as for the INSERTs). Only this user's rows can
 * match, and every row must: the rows matched (mysql2 connects with CLIENT_FOUND_ROWS, so a row
 * set to the values it has counts too) must be the rows sent, or the restore stops and rolls back.
 */
async function updateRows(conn: PoolConnection, spooled: SpooledTable, path: string, o: SyncOptions): Promise<number> {
  const t = spooled.spec
  const pipe = new StatementPipe(conn, o.progress, o.overlap)
  const json = jsonColumns(t, spooled.columns)
  const set = spooled.columns.filter(c => c !== t.primaryKey).map(c => `dst.${q(c)} = src.${q(c)}`).join(', ')
  const head = `UPDATE ${q(t.name)} AS dst JOIN (`
  const tail = `) AS src ON dst.${q(t.primaryKey)} = src.${q(t.primaryKey)} SET ${set} WHERE dst.${q(t.ownerColumn)} = ?`
  const r = new SpoolReader(path)
  let sent = 0
  try {
    let selects: string[] = []
    let chars = 0
    const flush = async () => {
      if (!selects.length) return
      const sql = head + selects.join(' UNION ALL ') + tail
      const rows = selects.length
      sent += rows
      selects = []
      chars = 0
      await pipe.send(sql, [o.userId], rows)
    }
    for (let line = await r.next(); line !== undefined; line = await r.next()) {
      const values = (JSON.parse(line.json) as unknown[]).map((v, i) => sqlValue(v, json[i]))
      let select = `SELECT ${values.join(',')}`
      if (selects.length && chars + select.length > MAX_STATEMENT_CHARS) await flush()
      // The first SELECT names the derived table's columns.
      if (!selects.length) select = `SELECT ${values.map((v, i) => `${v} AS ${q(spooled.columns[i]!)}`).join(',')}`
      selects.push(select)
      chars += select.length + 11
      if (selects.length >= Math.min(o.batchRows, UPDATE_BATCH_ROWS)) await flush()
    }
    await flush()
    await pipe.drain()
  }
  finally {
    await pipe.drain().catch(() => {})
    await r.close()
  }
  if (pipe.affected !== sent) throw new Error(`restore check: ${t.name}: ${pipe.affected} of ${sent} rows to update matched`)
  return sent
}

/** Multi-row INSERTs of up to batchRows rows (and MAX_STATEMENT_CHARS) from a spool-format file; returns the rows the server inserted. */
async function insertRows(conn: PoolConnection, spooled: SpooledTable, path: string, o: SyncOptions): Promise<number> {
  const pipe = new StatementPipe(conn, o.progress, o.overlap)
  const insertSql = `INSERT INTO ${q(spooled.spec.name)} (${[spooled.spec.ownerColumn, ...spooled.columns].map(q).join(',')}) VALUES `
  const json = jsonColumns(spooled.spec, spooled.columns)
  const r = new SpoolReader(path)
  try {
    let tuples: string[] = []
    let chars = 0
    const flush = async () => {
      if (!tuples.length) return
      const sql = insertSql + tuples.join(',')
      const rows = tuples.length
      tuples = []
      chars = 0
      await pipe.send(sql, undefined, rows)
    }
    for (let row = await r.next(); row !== undefined; row = await r.next()) {
      const tuple = insertTuple(o.userId, JSON.parse(row.json) as unknown[], json)
      if (chars + tuple.length > MAX_STATEMENT_CHARS) await flush()
      tuples.push(tuple)
      chars += tuple.length + 1
      if (tuples.length >= o.batchRows) await flush()
    }
    await flush()
    await pipe.drain()
  }
  finally {
    await pipe.drain().catch(() => {})
    await r.close()
  }
  return pipe.affected
}
