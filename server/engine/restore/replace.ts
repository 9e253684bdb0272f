import type { Pool, PoolConnection } from 'mysql2/promise'
import { BackupInvalidError, DatabaseError } from '../errors'
import type { TableSpec } from '../spec'
import type { FileTable, ValidatedItem } from './validator'

const q = (name: string) => `\`${name.replace(/`/g, '``')}\``

export interface ReplaceOptions {
  pool: Pool
  userId: number
  tables: readonly TableSpec[]
  /** Validated items of the backup (the same stream the validator yields). */
  items: AsyncIterable<ValidatedItem>
  /** Rows per multi-row INSERT. */
  batchRows?: number
  /** Called with the connection's thread id once the transaction is open (tests kill it). */
  onTransaction?: (threadId: number) => void
}

/**
 * Replaces all of a user's rows with the backup's, in ONE transaction: delete children before
 * parents, insert parents before children, ids kept, every row re-owned to `userId`. No DDL and no
 * TRUNCATE (both commit implicitly). Foreign-key checks are off for this session only, because
 * the validator already proved every reference resolves inside the backup (and self references,
 * like a category's parent, may point forward in id order). Any failure rolls back everything.
 */
export async function replaceUserData(o: ReplaceOptions): Promise<Record<string, number>> {
  let conn: PoolConnection
  try { conn = await o.pool.getConnection() }
  catch (err) { throw new DatabaseError('restore.connect', { cause: err }) }
  const batchRows = o.batchRows ?? 2000
  let clean = false
  try {
    await conn.query('SET SESSION foreign_key_checks = 0')
    await conn.beginTransaction()
    o.onTransaction?.(conn.threadId!)
    for (const t of [...o.tables].reverse()) {
      await conn.query(`DELETE FROM ${q(t.name)} WHERE ${q(t.ownerColumn)} = ?`, [o.userId])
    }
    let table: FileTable | undefined
    let batch: unknown[][] = []
    let jsonIdx: number[] = []
    const flush = async () => {
      if (!table || !batch.length) return
      const cols = [table.spec.ownerColumn, ...table.columns]
      const placeholders = `(${cols.map(() => '?').join(',')})`
      const values: unknown[] = []
      for (const row of batch) {
        values.push(o.userId)
        for (let i = 0; i < row.length; i++) values.push(jsonIdx.includes(i) ? JSON.stringify(row[i]) : row[i])
      }
      await conn.query(`INSERT INTO ${q(table.spec.name)} (${cols.map(q).join(',')}) VALUES ${Array(batch.length).fill(placeholders).join(',')}`, values)
      batch = []
    }
    let restored: Record<string, number> | undefined
    for await (const item of o.items) {
      if (item.kind === 'row') {
        if (item.table !== table) {
          await flush()
          table = item.table
          jsonIdx = table.columns.flatMap((c, i) => (table!.spec.columns.find(sc => sc.name === c)!.kind === 'json' ? [i] : []))
        }
        batch.push(item.row)
        if (batch.length >= batchRows) await flush()
      }
      else if (item.kind === 'end') {
        await flush()
        restored = item.rowCounts
      }
    }
    if (!restored) throw new BackupInvalidError('truncated', 'no trailer')
    await conn.commit()
    clean = true
    return restored
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
