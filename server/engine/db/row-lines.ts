import type { Connection } from 'mysql2'
import type { TableSpec } from '../spec'
import { rowBatches } from './row-stream'
import { quoteIdent as q } from './sql'

/** One piece of a row's line: text the database wrote, a JSON column's text, or fixed text. */
export type Piece = { kind: 'server', col: number } | { kind: 'json', col: number } | { kind: 'fixed', text: string }

export interface LineSelect {
  /** SELECT … FROM the table WHERE owner = ? AND primary key BETWEEN ? AND ? ORDER BY primary key (readLines). */
  sql: string
  /** How a result row becomes its line (lineOf). */
  pieces: Piece[]
  /** The result column that holds the primary key (withKey). */
  keyCol: number
}

/**
 * A row's line — its JSON array, as a backup file holds it and as a restore compares it — written
 * by the database itself: every run of non-JSON columns comes back as ONE text column of finished
 * JSON (numbers as they are; decimals, dates and datetimes quoted as the text protocol sends them;
 * strings through JSON_QUOTE; NULL as null). mysql2 then parses one value per run instead of every
 * column, and nothing here serializes those values again. Measured on 1M rows, export alone:
 * 2.4 s → 2.0 s (docs/performance.md).
 *
 * The text equals JSON.stringify of the row as mysql2 parses it (tests/integration/engine/
 * export-rows.test.ts), except that MariaDB's JSON_QUOTE writes the control characters without a
 * short escape in upper-case hex (`\u001F`, JSON.stringify and MySQL 8 `\u001f`): the same value,
 * so a comparison with a line written the other way only finds a row "changed" and rewrites it
 * as it is.
 *
 * JSON columns are sent as text (CAST … AS CHAR, so the driver never parses them itself: a JSON
 * string value would be ambiguous) and written compact here: a server may keep them with other
 * spacing (MySQL 8 writes `[1, 2]`).
 *
 * `columns` (names, default every column of the table) picks and orders the columns, e.g. a
 * spooled file's; `withKey` also sends the primary key, last.
 */
export function lineSelect(table: TableSpec, o: { columns?: readonly string[], withKey?: boolean } = {}): LineSelect {
  const specs = (o.columns ?? table.columns.map(c => c.name)).map((name) => {
    const c = table.columns.find(c => c.name === name)
    if (!c) throw new Error(`${table.name}.${name}: not a column of the table`)
    return c
  })
  const pieces: Piece[] = []
  const select: string[] = []
  // The current run: SQL expressions, and fixed text not yet added to them.
  let run: string[] = []
  let fixed = ''
  const take = () => {
    if (fixed) run.push(`'${fixed}'`)
    fixed = ''
  }
  const endRun = () => {
    take()
    if (run.length) {
      pieces.push({ kind: 'server', col: select.length })
      select.push(`CONCAT(${run.join(', ')})`)
    }
    run = []
  }
  specs.forEach((c, i) => {
    fixed += i === 0 ? '[' : ','
    const col = q(c.name)
    if (c.kind === 'json') {
      endRun()
      pieces.push({ kind: 'json', col: select.length })
      select.push(`CAST(${col} AS CHAR)`)
      return
    }
    const quoted = c.kind === 'decimal' || c.kind === 'date' || c.kind === 'datetime'
    if (quoted && !c.nullable) {
      // Never NULL: its quotes join the fixed text around it (no CONCAT of its own per row).
      fixed += '"'
      take()
      run.push(col)
      fixed += '"'
      return
    }
    const expr = c.kind === 'id' || c.kind === 'int' ? col : quoted ? `CONCAT('"', ${col}, '"')` : `JSON_QUOTE(${col})`
    take()
    run.push(c.nullable ? `IFNULL(${expr}, 'null')` : expr)
  })
  fixed += ']'
  // Text after the last JSON column is added here, not sent by the server.
  if (run.length) endRun()
  else pieces.push({ kind: 'fixed', text: fixed })
  const keyCol = select.length
  if (o.withKey) select.push(q(table.primaryKey))
  const where = `${q(table.ownerColumn)} = ? AND ${q(table.primaryKey)} BETWEEN ? AND ?`
  return { sql: `SELECT ${select.join(', ')} FROM ${q(table.name)} WHERE ${where} ORDER BY ${q(table.primaryKey)}`, pieces, keyCol }
}

/** How many rows a user has in a table, and their lowest and highest key (none when `rows` is 0). */
export interface KeySpan { rows: number, first: unknown, last: unknown }

/**
 * Each table's KeySpan for the user, in `tables`' order, in one statement (a COUNT, MIN and MAX
 * per table through its owner index: 0.10 s for 1M rows). The caller reads in the same view of
 * the user's rows (readLines says why).
 */
export function keySpans(conn: Connection, tables: readonly TableSpec[], userId: number): Promise<KeySpan[]> {
  // Each row names its table by position: a UNION ALL's rows have no promised order.
  const sql = tables.map((t, i) => `SELECT ${i}, COUNT(*), MIN(${q(t.primaryKey)}), MAX(${q(t.primaryKey)}) FROM ${q(t.name)} WHERE ${q(t.ownerColumn)} = ?`).join(' UNION ALL ')
  return new Promise((resolve, reject) => conn.query({ sql, values: tables.map(() => userId), rowsAsArray: true }, (err, rows) => {
    if (err) return reject(err)
    const spans: KeySpan[] = []
    for (const [i, n, first, last] of rows as unknown[][]) spans[Number(i)] = { rows: Number(n), first, last }
    if (spans.length !== tables.length || tables.some((_, i) => !spans[i])) return reject(new Error('the database did not count every table'))
    resolve(spans)
  }))
}

/**
 * The user's rows of `select` (lineSelect of their table), in batches (rowBatches), reading only
 * the user's `span` of keys (keySpans), in key order. Without the span, a user holding a large
 * share of a table has the whole table scanned (every other user's rows too: measured 2.15 s
 * against 1.4 s for 1M rows of 2.1M), and a smaller one gets a sort of all their rows; with it the
 * server picks between the key range and the owner index, whichever reads less. The span and the
 * read must see the same rows of the user, or a row added between them past the span would be
 * missed: one REPEATABLE READ snapshot (the export, the plan), or rows no one else can change
 * meanwhile (the apply, at READ COMMITTED: the user's rows locked or counted under the write
 * gate, their writes refused).
 */
export async function* readLines(conn: Connection, select: LineSelect, userId: number, span: KeySpan): AsyncGenerator<unknown[][]> {
  if (!span.rows) return
  yield* rowBatches(conn, select.sql, [userId, span.first, span.last])
}

/** readLines of one table, its span read first (on the first batch asked for). */
export async function* readTableLines(conn: Connection, table: TableSpec, select: LineSelect, userId: number): AsyncGenerator<unknown[][]> {
  const [span] = await keySpans(conn, [table], userId)
  yield* readLines(conn, select, userId, span!)
}

/** A result row of lineSelect's query, as its line. */
export function lineOf(row: readonly unknown[], pieces: readonly Piece[]): string {
  let line = ''
  for (const p of pieces) {
    if (p.kind === 'server') {
      // CONCAT is NULL only past max_allowed_packet (a row of MBs): never write "null" for a row.
      const text = row[p.col]
      if (typeof text !== 'string') throw new Error('the database returned no text for a row\'s line')
      line += text
    }
    else if (p.kind === 'fixed') line += p.text
    else {
      const v = row[p.col] as string | null
      line += v === null ? 'null' : compactJson(v)
    }
  }
  return line
}

/**
 * A JSON column's text as JSON.stringify writes it. Text that is already that (an array of
 * strings without escapes, the ledger's tags: `["casa","mercado"]`) is kept as it is — checked
 * in one pass, no parse; measured ≈ 0.2 s per million rows of the backup's main thread
 * (docs/performance.md). Anything else is parsed and written again.
 */
export function compactJson(text: string): string {
  return isCompactStringArray(text) ? text : JSON.stringify(JSON.parse(text))
}

/**
 * Whether `text` is `[]` or `["…","…",…]` with no whitespace between the items and no character
 * in a string that JSON.stringify would write another way: no backslash (an escape may be spelled
 * several ways), no control character, no unpaired surrogate. Such text parses, and JSON.stringify
 * of what it parses to gives it back unchanged.
 */
export function isCompactStringArray(text: string): boolean {
  const n = text.length
  if (n < 2 || text.charCodeAt(0) !== 0x5B || text.charCodeAt(n - 1) !== 0x5D) return false
  if (n === 2) return true
  let i = 1
  for (;;) {
    if (text.charCodeAt(i++) !== 0x22) return false
    // One string's characters, up to its closing quote.
    for (;;) {
      if (i >= n) return false
      const c = text.charCodeAt(i++)
      if (c === 0x22) break
      if (c === 0x5C || c < 0x20) return false
      if (c >= 0xD800 && c <= 0xDFFF) {
        // A high surrogate followed by a low one is one character; anything else is unpaired.
        if (c >= 0xDC00 || i >= n) return false
        const low = text.charCodeAt(i++)
        if (low < 0xDC00 || low > 0xDFFF) return false
      }
    }
    // After a string: the closing bracket (the last character), or a comma and the next string.
    if (i === n - 1) return true
    if (text.charCodeAt(i++) !== 0x2C) return false
  }
}
