import type { Pool } from 'mysql2'
import { quoteIdent as q } from '../db/sql'
import type { TableSpec } from '../spec'

/**
 * How many rows a user has across the tables, counted through each table's owner index before a
 * backup starts: the total its progress is measured against. An estimate (rows may change before
 * the export's snapshot), so progress clamps to it rather than trusting it.
 */
export async function countUserRows(pool: Pool, userId: number, tables: readonly TableSpec[]): Promise<number> {
  const sql = tables.map(t => `SELECT COUNT(*) AS n FROM ${q(t.name)} WHERE ${q(t.ownerColumn)} = ?`).join(' UNION ALL ')
  const [rows] = await pool.promise().query(sql, tables.map(() => userId)) as unknown as [{ n: number | string }[]]
  return rows.reduce((sum, r) => sum + Number(r.n), 0)
}
