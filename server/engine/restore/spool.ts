import { createReadStream, createWriteStream, type WriteStream } from 'node:fs'
import { join } from 'node:path'
import mysql from 'mysql2'
import type { TableSpec } from '../spec'
import type { FileTable, ValidatedItem } from './validator'

/**
 * Pass 1 of a restore writes every validated row to a private temp file per table, so the backup
 * is decompressed, parsed and validated exactly once; the replace (pass 2) reads these back.
 * One line per row, in ascending primary key: `<pk>\t<JSON array of the row's values>\n`, the
 * values as the validator yields them (after upgrades, in the file's column order). JSON.stringify
 * escapes newlines inside strings, so a line never contains a raw newline.
 *
 * The JSON form is also the comparison key: a row read from the database is serialized the same
 * way (JSON.stringify of mysql2's values), and equal text means equal values.
 */
export interface SpooledTable {
  spec: TableSpec
  /** The row arrays' columns, in order (the file's, after upgrades). */
  columns: string[]
  /** The file carries every column of the table: its rows can be compared with the database's. */
  complete: boolean
  path: string
  rows: number
}

export interface SpooledBackup {
  tables: SpooledTable[]
  rowCounts: Record<string, number>
}

const escape = (v: unknown) => mysql.escape(v as Parameters<typeof mysql.escape>[0])

/**
 * The row as an SQL VALUES tuple `(<owner>,<v1>,…)`, for a multi-row INSERT. Values are escaped
 * by mysql2's own escaper — the code that formats `?` placeholders, which the batched INSERTs used
 * before — so nothing from the file reaches SQL unescaped. JSON columns hold parsed values and
 * are stored as their JSON text; null is SQL NULL; numbers are the validator's safe integers.
 */
export function insertTuple(owner: number, row: unknown[], json: readonly boolean[]): string {
  let s = `(${owner}`
  for (let i = 0; i < row.length; i++) {
    const v = row[i]
    if (v === null || v === undefined) s += ',NULL'
    else if (json[i]) s += `,${escape(JSON.stringify(v))}`
    else if (typeof v === 'number') s += `,${v}`
    else s += `,${escape(v)}`
  }
  return `${s})`
}

/**
 * A database row (rowsAsArray, the spooled columns' order) in the spool's JSON form. mysql2
 * parses JSON columns (MySQL 8, and MariaDB's through its extended metadata); a server that
 * sends them as text gets them parsed here, as the export does.
 */
export function dbRowJson(row: unknown[], json: readonly boolean[]): string {
  for (let i = 0; i < json.length; i++) if (json[i] && typeof row[i] === 'string') row[i] = JSON.parse(row[i] as string)
  return JSON.stringify(row)
}

export const jsonColumns = (t: { spec: TableSpec, columns: string[] }) => t.columns.map(c => t.spec.columns.find(sc => sc.name === c)!.kind === 'json')

const LINE_BUFFER_BYTES = 1 << 20

/**
 * Buffered appends to a file. Each line is encoded straight into a 1 MB Buffer (Buffer.write):
 * growing one big string and encoding it at once measured ~3x slower. `write` returns a promise
 * only when the buffer went to the file and the file asked to wait (backpressure).
 */
export class LineWriter {
  private buf = Buffer.allocUnsafe(LINE_BUFFER_BYTES)
  private pos = 0
  private failure: Error | undefined
  private readonly out: WriteStream
  constructor(path: string) {
    this.out = createWriteStream(path, { mode: 0o600 })
    this.out.on('error', (err) => { this.failure = err })
  }

  write(line: string): Promise<void> | undefined {
    if (this.failure) throw this.failure
    const need = line.length * 3
    let wait: Promise<void> | undefined
    if (this.pos + need > this.buf.length) {
      wait = this.flush()
      if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need)
    }
    this.pos += this.buf.write(line, this.pos)
    return wait
  }

  private flush(): Promise<void> | undefined {
    if (!this.pos) return undefined
    const chunk = this.buf.subarray(0, this.pos)
    this.buf = Buffer.allocUnsafe(LINE_BUFFER_BYTES)
    this.pos = 0
    if (this.out.write(chunk)) return undefined
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => { this.out.off('drain', done); this.out.off('error', done); if (err) reject(err); else resolve() }
      this.out.on('drain', done)
      this.out.on('error', done)
    })
  }

  async end() {
    await this.flush()
    if (this.failure) throw this.failure
    await new Promise<void>((resolve, reject) => { this.out.once('error', reject); this.out.end(resolve) })
  }

  destroy() { this.out.destroy() }
}

/**
 * Pass 1: consumes the validator's items (validation happens while iterating; any problem throws
 * before anything is written to the database) and spools each table's rows.
 */
export async function spoolValidated(items: AsyncIterable<ValidatedItem>, o: { dir: string }): Promise<SpooledBackup> {
  const tables: SpooledTable[] = []
  let writer: LineWriter | undefined
  let current: SpooledTable | undefined
  let currentFile: FileTable | undefined
  let pkIdx = 0
  let rowCounts: Record<string, number> | undefined
  try {
    for await (const item of items) {
      if (item.kind === 'row') {
        if (item.table !== currentFile) {
          if (writer) await writer.end()
          currentFile = item.table
          const columns = item.table.columns
          current = {
            spec: item.table.spec,
            columns,
            complete: item.table.spec.columns.every(c => columns.includes(c.name)),
            path: join(o.dir, `table-${tables.length}.jsonl`),
            rows: 0,
          }
          tables.push(current)
          writer = new LineWriter(current.path)
          pkIdx = columns.indexOf(item.table.spec.primaryKey)
        }
        current!.rows++
        const wait = writer!.write(`${item.row[pkIdx] as number}\t${JSON.stringify(item.row)}\n`)
        if (wait) await wait
      }
      else if (item.kind === 'end') {
        rowCounts = item.rowCounts
      }
    }
    if (writer) await writer.end()
    writer = undefined
  }
  finally { writer?.destroy() }
  return { tables, rowCounts: rowCounts! }
}

export interface SpooledRow { pk: number, json: string }

/**
 * Reads spool lines back. `take()` is synchronous while buffered lines last (no promise per
 * row) and returns null when `fill()` must be awaited; each line is decoded on its own (ASCII and
 * Latin-1 lines stay compact one-byte strings).
 */
export class SpoolReader {
  private buf: Buffer = Buffer.alloc(0)
  private pos = 0
  private ended = false
  private readonly it: AsyncIterator<Buffer>

  constructor(path: string) {
    this.it = (createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
  }

  /** The next row, null if more must be read first (await fill()), undefined at the end. */
  take(): SpooledRow | null | undefined {
    const nl = this.buf.indexOf(10, this.pos)
    if (nl === -1) return this.ended ? undefined : null
    const tab = this.buf.indexOf(9, this.pos)
    const row = { pk: Number(this.buf.toString('latin1', this.pos, tab)), json: this.buf.toString('utf8', tab + 1, nl) }
    this.pos = nl + 1
    return row
  }

  async fill() {
    const r = await this.it.next()
    const rest = this.buf.subarray(this.pos)
    if (r.done) {
      this.ended = true
      if (rest.length) throw new Error('restore spool: the last line has no end')
      this.buf = rest
    }
    else this.buf = rest.length ? Buffer.concat([rest, r.value]) : r.value
    this.pos = 0
  }

  /** The next row or undefined at the end, reading as needed. */
  async next(): Promise<SpooledRow | undefined> {
    for (;;) {
      const row = this.take()
      if (row !== null) return row
      await this.fill()
    }
  }

  async close() { await this.it.return?.() }
}
