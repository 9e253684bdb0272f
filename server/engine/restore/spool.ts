import { join } from 'node:path'
import type { TableSpec } from '../spec'
import { LineWriter, spoolLine } from './spool-format'
import type { FileTable, ValidatedItem } from './validator'

/**
 * Pass 1 of a restore writes every validated row to a private temp file per table (the spool
 * format, spool-format.ts), so the backup is decompressed, parsed and validated exactly once;
 * the apply reads these back. The values are as the validator yields them (after upgrades, in
 * the file's column order).
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

/**
 * Pass 1: consumes the validator's items (validation happens while iterating; any problem throws
 * before anything is written to the database) and spools each table's rows.
 */
export async function spoolValidated(items: AsyncIterable<ValidatedItem>, o: { dir: string }): Promise<SpooledBackup> {
  async function* single() { for await (const item of items) yield [item] }
  return spoolBatches(single(), o)
}

/** spoolValidated for items in arrays (validator's validatedBatches): no await per row. */
export async function spoolBatches(batches: AsyncIterable<readonly ValidatedItem[]>, o: { dir: string }): Promise<SpooledBackup> {
  const tables: SpooledTable[] = []
  let open: { file: FileTable, table: SpooledTable, writer: LineWriter, pkIdx: number } | undefined
  let rowCounts: Record<string, number> | undefined
  try {
    for await (const items of batches) {
      for (const item of items) {
        if (item.kind === 'row') {
          if (item.table !== open?.file) {
            if (open) await open.writer.end()
            const columns = item.table.columns
            const table: SpooledTable = {
              spec: item.table.spec,
              columns,
              complete: item.table.spec.columns.every(c => columns.includes(c.name)),
              path: join(o.dir, `table-${tables.length}.jsonl`),
              rows: 0,
            }
            tables.push(table)
            open = { file: item.table, table, writer: new LineWriter(table.path), pkIdx: columns.indexOf(item.table.spec.primaryKey) }
          }
          open.table.rows++
          // Format 2 hands on each row's text as read (the line is the row's JSON array): a
          // hand-formatted one only makes the comparison see a change where there is none.
          const wait = open.writer.write(spoolLine(item.row[open.pkIdx] as number, item.text ?? JSON.stringify(item.row)))
          if (wait) await wait
        }
        else if (item.kind === 'end') {
          rowCounts = item.rowCounts
        }
      }
    }
    if (open) await open.writer.end()
    open = undefined
  }
  finally { open?.writer.destroy() }
  // The validator always ends with the trailer's counts; without them the file did not end.
  if (!rowCounts) throw new Error('restore spool: the validated rows ended without their counts')
  return { tables, rowCounts }
}
