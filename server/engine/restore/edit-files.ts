import { join } from 'node:path'
import type { Edit } from './merge'
import { LineWriter, spoolLine } from './spool-format'

/** What a table's comparison found, and where its keys to delete and rows to insert were written. */
export interface TableEdits {
  unchanged: number
  toDelete: number
  toInsert: number
  /** Database rows compared (the rows the table had when it was read). */
  compared: number
  deletePath: string
  insertPath: string
}

/**
 * Writes a table's edits to two spool-format files in `dir`: keys to delete, rows to insert (a
 * changed row is both). The apply reads them back inside its transaction; they stay on disk, not
 * in memory, so a million edits cost no heap.
 */
export class EditFiles {
  readonly counts: TableEdits
  private readonly dels: LineWriter
  private readonly ins: LineWriter

  constructor(dir: string, name: string) {
    this.counts = { unchanged: 0, toDelete: 0, toInsert: 0, compared: 0, deletePath: join(dir, `${name}-delete.jsonl`), insertPath: join(dir, `${name}-insert.jsonl`) }
    this.dels = new LineWriter(this.counts.deletePath)
    this.ins = new LineWriter(this.counts.insertPath)
  }

  async write(edits: readonly Edit[]) {
    const c = this.counts
    for (const e of edits) {
      let wait: Promise<void> | undefined
      if (e.op === 'same') {
        c.unchanged++
        c.compared++
      }
      else if (e.op === 'delete') {
        wait = this.dels.write(spoolLine(e.pk, ''))
        c.toDelete++
        c.compared++
      }
      else {
        if (e.op === 'change') {
          const w = this.dels.write(spoolLine(e.pk, ''))
          if (w) await w
          c.toDelete++
          c.compared++
        }
        wait = this.ins.write(spoolLine(e.pk, e.json))
        c.toInsert++
      }
      if (wait) await wait
    }
  }

  async end(): Promise<TableEdits> {
    await this.dels.end()
    await this.ins.end()
    return this.counts
  }

  destroy() {
    this.dels.destroy()
    this.ins.destroy()
  }
}
