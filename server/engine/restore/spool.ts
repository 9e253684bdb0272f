import { createReadStream, createWriteStream, type WriteStream } from 'node:fs'
import { join } from 'node:path'
import mysql from 'mysql2'
import type { TableSpec } from '../spec'
import type { FileTable, ValidatedItem } from './validator'

/**
 * Pass 1 of a restore writes every validated row, ready to insert, to a private temp file per
 * table, so the file is parsed and validated exactly once and the replace (pass 2) only reads
 * lines back. One line per row, in ascending primary key: `<pk>\t(<owner>,<v1>,<v2>,…)\n` — the
 * tuple is the row as an SQL VALUES literal, escaped by mysql2's own escaper (the same code that
 * formats `?` placeholders), with the owner set to the restoring user. Escaping turns newlines
 * inside values into `\n`, so a tuple never contains a raw newline.
 */
export interface SpooledTable {
  spec: TableSpec
  /** Columns of the tuples after the owner column, in order (the file's, after upgrades). */
  columns: string[]
  /** The file carries every column of the table: its tuples can be compared with the database's. */
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
 * One value of the backup file as an SQL literal. JSON columns hold parsed values in the file and
 * are stored as their JSON text; null is SQL NULL; numbers are the validator's safe integers.
 */
export function sqlLiteral(v: unknown, json: boolean): string {
  if (v === null || v === undefined) return 'NULL'
  if (json) return escape(JSON.stringify(v))
  if (typeof v === 'number') return String(v)
  return escape(v)
}

/** A tuple from a row of the backup file (values as the validator yields them). */
export function fileTuple(owner: number, row: unknown[], jsonIdx: readonly boolean[]): string {
  let s = `(${owner}`
  for (let i = 0; i < row.length; i++) s += `,${sqlLiteral(row[i], jsonIdx[i]!)}`
  return `${s})`
}

/**
 * A tuple from a row read from the database (rowsAsArray, same column order). MariaDB returns
 * JSON columns as their text, MySQL 8 as parsed values: text is kept as stored, values encoded.
 */
export function dbTuple(owner: number, row: unknown[], jsonIdx: readonly boolean[]): string {
  let s = `(${owner}`
  for (let i = 0; i < row.length; i++) {
    const v = row[i]
    s += ','
    if (jsonIdx[i] && v !== null) s += escape(typeof v === 'string' ? v : JSON.stringify(v))
    else if (v === null) s += 'NULL'
    else if (typeof v === 'number') s += String(v)
    else s += escape(v)
  }
  return `${s})`
}

export const jsonColumns = (t: { spec: TableSpec, columns: string[] }) => t.columns.map(c => t.spec.columns.find(sc => sc.name === c)!.kind === 'json')

/** Buffered appends to a file, with backpressure every ~1 MB. */
export class LineWriter {
  private buf = ''
  private readonly out: WriteStream
  constructor(path: string) { this.out = createWriteStream(path, { mode: 0o600 }) }
  async write(line: string) {
    this.buf += line
    if (this.buf.length >= 1 << 20) await this.flush()
  }

  private async flush() {
    const chunk = this.buf
    this.buf = ''
    if (!this.out.write(chunk)) await new Promise<void>((resolve, reject) => { this.out.once('drain', resolve); this.out.once('error', reject) })
  }

  async end() {
    if (this.buf) await this.flush()
    await new Promise<void>((resolve, reject) => { this.out.once('error', reject); this.out.end(resolve) })
  }

  destroy() { this.out.destroy() }
}

/**
 * Pass 1: consumes the validator's items (validation happens while iterating; any problem throws
 * before anything is written to the database) and spools each table's rows as tuples.
 */
export async function spoolValidated(items: AsyncIterable<ValidatedItem>, o: { dir: string, userId: number }): Promise<SpooledBackup> {
  const tables: SpooledTable[] = []
  let writer: LineWriter | undefined
  let current: SpooledTable | undefined
  let currentFile: FileTable | undefined
  let json: boolean[] = []
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
            path: join(o.dir, `table-${tables.length}.tuples`),
            rows: 0,
          }
          tables.push(current)
          writer = new LineWriter(current.path)
          json = jsonColumns(current)
          pkIdx = columns.indexOf(item.table.spec.primaryKey)
        }
        current!.rows++
        await writer!.write(`${item.row[pkIdx] as number}\t${fileTuple(o.userId, item.row, json)}\n`)
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

/** Reads a spool file back line by line, in batches (one await per ~64 KB, not per row). */
export class SpoolReader {
  private lines: string[] = []
  private pos = 0
  private rest = ''
  private done = false
  private readonly it: AsyncIterator<string>

  constructor(path: string) {
    this.it = (createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 }) as AsyncIterable<string>)[Symbol.asyncIterator]()
  }

  /** The next line (without its newline), or undefined at the end. */
  async next(): Promise<string | undefined> {
    while (this.pos >= this.lines.length) {
      if (this.done) return undefined
      const r = await this.it.next()
      if (r.done) {
        this.done = true
        this.lines = this.rest ? [this.rest] : []
        this.rest = ''
      }
      else {
        const parts = (this.rest + r.value).split('\n')
        this.rest = parts.pop()!
        this.lines = parts
      }
      this.pos = 0
    }
    return this.lines[this.pos++]
  }

  async close() { await this.it.return?.() }
}

/** Splits a spool line into its primary key and tuple. */
export function splitLine(line: string): { pk: number, tuple: string } {
  const tab = line.indexOf('\t')
  return { pk: Number(line.slice(0, tab)), tuple: line.slice(tab + 1) }
}
