import type { Header } from '../format'

/**
 * Upgrade steps for backups written by older versions of Cofre. Each step turns a file of
 * `schemaVersion` N into N+1: it edits the header (renamed, added or dropped columns) and may
 * return a per-table row mapper (rows are arrays in header column order). Restore applies every
 * step from the file's version up to SCHEMA_VERSION before validating, so all later code sees
 * only the current shape. How to add one: docs/backup-format.md, "Schema evolution".
 */
export interface UpgradeStep {
  from: number
  description: string
  apply(header: Header): { header: Header, rows?: Record<string, (row: unknown[]) => unknown[]> }
}

const renameColumn = (h: Header, table: string, from: string, to: string): Header => ({
  ...h,
  tables: h.tables.map(t => t.name !== table ? t : { ...t, columns: t.columns.map(c => (c.name === from ? { ...c, name: to } : c)) }),
})

export const UPGRADES: readonly UpgradeStep[] = [
  {
    // The pre-release format (schema 0) called the opening balance `opening`.
    from: 0,
    description: 'accounts.opening → accounts.opening_balance',
    apply: h => ({ header: renameColumn(h, 'accounts', 'opening', 'opening_balance') }),
  },
]

/** Applies every step from `header.schemaVersion` to `target`; row mappers are composed. */
export function upgrade(header: Header, target: number) {
  const rowMappers: Record<string, ((row: unknown[]) => unknown[])[]> = {}
  let h = header
  for (let v = header.schemaVersion; v < target; v++) {
    const step = UPGRADES.find(s => s.from === v)
    if (!step) return null
    const r = step.apply(h)
    h = { ...r.header, schemaVersion: v + 1 }
    for (const [table, fn] of Object.entries(r.rows ?? {})) (rowMappers[table] ??= []).push(fn)
  }
  const rows: Record<string, (row: unknown[]) => unknown[]> = {}
  for (const [table, fns] of Object.entries(rowMappers)) rows[table] = row => fns.reduce((r, fn) => fn(r), row)
  return { header: h, rows }
}
