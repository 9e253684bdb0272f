import type { Connection as CoreConnection } from 'mysql2'
import type { Pool } from 'mysql2/promise'
import { DatabaseError } from '../errors'
import type { OnProgress } from '../progress'
import type { TableSpec } from '../spec'
import { mergeSorted, type RowCursor } from './merge'
import { lineOf, lineSelect, readTableLines } from '../db/row-lines'
import type { SpooledBackup } from './spool'
import { SpoolReader } from './spool-format'

/** Keys of each kind kept as examples, per table. */
const EXAMPLES = 5

export interface TablePlan {
  table: string
  unchanged: number
  changed: number
  onlyInBackup: number
  onlyInDatabase: number
  /** A few keys of each kind (at most EXAMPLES), to show what a restore would touch. */
  examples: { changed: number[], onlyInBackup: number[], onlyInDatabase: number[] }
}

export interface PlanOptions {
  pool: Pool
  userId: number
  tables: readonly TableSpec[]
  prepared: SpooledBackup
  onProgress?: OnProgress
}

/**
 * The plan stage: what applying the prepared backup would change, per table — rows unchanged,
 * changed, only in the backup (would be inserted), only in the database (would be deleted). It
 * reads the user's current rows (one read-only consistent snapshot for every table, no locks) and
 * writes nothing. A table whose file lacks columns (an older shape) cannot be compared row by row:
 * a key in both counts as changed.
 */
export async function plan(o: PlanOptions): Promise<TablePlan[]> {
  const conn = await o.pool.getConnection().catch((err) => { throw new DatabaseError('plan.connect', { cause: err }) })
  const total = Object.values(o.prepared.rowCounts).reduce((a, b) => a + b, 0)
  let done = 0
  try {
    // REPEATABLE READ first: at a server's READ COMMITTED default, WITH CONSISTENT SNAPSHOT is
    // ignored and each statement would see its own moment (a row added past a table's span of
    // keys between its two statements would be missed).
    await conn.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ')
      .then(() => conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY'))
      .catch((err) => { throw new DatabaseError('plan.begin', { cause: err }) })
    const out: TablePlan[] = []
    for (const t of o.tables) {
      const spooled = o.prepared.tables.find(s => s.spec.name === t.name)
      const select = lineSelect(t, { columns: spooled?.complete ? spooled.columns : [t.primaryKey], withKey: true })
      const p: TablePlan = { table: t.name, unchanged: 0, changed: 0, onlyInBackup: 0, onlyInDatabase: 0, examples: { changed: [], onlyInBackup: [], onlyInDatabase: [] } }
      const core = conn.connection as unknown as CoreConnection
      const db = readTableLines(core, t, select, o.userId)
      const reader = spooled ? new SpoolReader(spooled.path) : undefined
      const file: RowCursor = reader ?? { take: () => undefined, fill: async () => {} }
      // With an older shape the file's row is never "equal": compare keys only.
      const shape = spooled?.complete
        ? { pk: (row: unknown[]) => row[select.keyCol] as number, json: (row: unknown[]) => lineOf(row, select.pieces) }
        : { pk: (row: unknown[]) => row[select.keyCol] as number, json: () => '\u0000' }
      const note = (list: number[], pk: number) => { if (list.length < EXAMPLES) list.push(pk) }
      try {
        for await (const edits of mergeSorted(db, file, shape)) {
          for (const e of edits) {
            if (e.op === 'same') p.unchanged++
            else if (e.op === 'change') { p.changed++; note(p.examples.changed, e.pk) }
            else if (e.op === 'insert') { p.onlyInBackup++; note(p.examples.onlyInBackup, e.pk) }
            else { p.onlyInDatabase++; note(p.examples.onlyInDatabase, e.pk) }
            if (e.op !== 'delete') done++
          }
          o.onProgress?.({ stage: 'planning', done, total, unit: 'rows' })
        }
      }
      catch (err) { throw new DatabaseError(`plan.${t.name}`, { cause: err }) }
      finally { await reader?.close() }
      out.push(p)
    }
    await conn.query('COMMIT').catch((err) => { throw new DatabaseError('plan.end', { cause: err }) })
    conn.release()
    return out
  }
  catch (err) {
    conn.destroy()
    throw err
  }
}
