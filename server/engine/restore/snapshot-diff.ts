import type { RowTap, TableTap } from '../export/export-rows'
import type { TableSpec } from '../spec'
import { EditFiles, type TableEdits } from './edit-files'
import { Merger, type RowCursor } from './merge'
import type { SpooledBackup } from './spool'
import { SpoolReader } from './spool-format'

const NO_ROWS: RowCursor = { take: () => undefined, fill: async () => {} }

/**
 * One read for two jobs: the restore's safety backup reads every row the user has, and the
 * restore must compare those same rows with the backup's. Handed to the safety backup's export
 * as its tap, this merges each table's rows, as they stream past, with the spooled file
 * (merge.ts) and writes the keys to delete and rows to insert (edit-files.ts), so the apply
 * transaction does not read and compare a million rows again.
 *
 * The edits describe the safety backup's snapshot, taken inside the restore window: from then on
 * ledger writes are refused (services/ledger/write-gate.ts), so the rows cannot change before the
 * apply locks them. The apply still checks that each table holds, under its lock, the number of
 * rows compared here, and compares in its own transaction (the slower path) where it does not,
 * or where no edits were computed: a table whose file has another shape (an older schema).
 * No transaction is held open across the safety backup's upload.
 */
export class SnapshotDiff implements RowTap {
  private readonly found = new Map<string, TableEdits>()
  private readonly columnsOf = (spec: TableSpec) => JSON.stringify(spec.columns.map(c => c.name))

  constructor(private readonly prepared: SpooledBackup & { dir: string }) {}

  table(spec: TableSpec): TableTap | undefined {
    const spooled = this.prepared.tables.find(s => s.spec.name === spec.name)
    // The export's text of a row equals the spool's only for the same columns in the same order.
    if (spooled && (!spooled.complete || JSON.stringify(spooled.columns) !== this.columnsOf(spec))) return undefined
    const file = spooled ? new SpoolReader(spooled.path) : undefined
    const merger = new Merger(file ?? NO_ROWS)
    const edits = new EditFiles(this.prepared.dir, `snapshot-${spec.name.replace(/\W/g, '_')}`, spec.updatesInPlace)
    return {
      rows: async (keys, texts) => {
        for await (const found of merger.push(keys, i => texts[i]!)) await edits.write(found)
      },
      end: async () => {
        try {
          for await (const rest of merger.rest()) await edits.write(rest)
          this.found.set(spec.name, await edits.end())
        }
        finally { await file?.close() }
      },
      abort: () => {
        edits.destroy()
        void file?.close()
      },
    }
  }

  /** Per table, the edits found (tables without are compared by the apply itself). */
  edits(): ReadonlyMap<string, TableEdits> { return this.found }}
