import { join } from 'node:path'
import type { Edit } from './merge'
import { LineWriter, spoolLine } from './spool-format'

/** What a table's comparison found, and where its keys to delete, rows to insert and rows to update were written. */
export interface TableEdits {
  unchanged: number
  toDelete: number
  toInsert: number
  /** Rows in both, with other values: updated in place. */
  toUpdate: number
  /** Database rows compared (the rows the table had when it was read). */
  compared: number
  deletePath: string
  insertPath: string
  updatePath: string
}

/**
 * Writes a table's edits to three spool-format files in `dir`: keys to delete, rows to insert,
 * rows to update in place (a changed row). The apply reads them back inside its transaction; they
 * stay on disk, not in memory, so a million edits cost no heap.
 */
export class EditFiles {
  readonly counts: TableEdits
  private readonly dels: LineWriter
  private readonly ins: LineWriter
  private readonly ups: LineWriter

  /** `inPlace`: changed rows go to the update file; otherwise each is a key to delete and a row to insert (TableSpec.updatesInPlace). */
  constructor(dir: string, name: string, private readonly inPlace: boolean) {
    this.counts = { unchanged: 0, toDelete: 0, toInsert: 0, toUpdate: 0, compared: 0, deletePath: join(dir, `${name}-delete.jsonl`), insertPath: join(dir, `${name}-insert.jsonl`), updatePath: join(dir, `${name}-update.jsonl`) }
    this.dels = new LineWriter(this.counts.deletePath)
    this.ins = new LineWriter(this.counts.insertPath)
    this.ups = new LineWriter(this.counts.updatePath)
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
      else if (e.op === 'change' && this.inPlace) {
        wait = this.ups.write(spoolLine(e.pk, e.json))
        c.toUpdate++
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
    await this.ups.end()
    return this.counts
  }

  destroy() {
    this.dels.destroy()
    this.ins.destroy()
    this.ups.destroy()
  }
}
