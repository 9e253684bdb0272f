// The user-data registry: the one declarative list of tables a user owns, parents before children.
// Backup exports them in this order; restore deletes in reverse and inserts in this order. Adding
// a user-owned table is one line here (tests/unit/db/registry.test.ts fails until you decide).
import { getTableConfig, type MySqlColumn, type MySqlTable } from 'drizzle-orm/mysql-core'
import type { ColumnSpec, ColumnType, ReferenceSpec, TableSpec } from '../engine/spec'
import { accounts, categories, preferences, transactions } from './schema'

const USER_DATA: MySqlTable[] = [accounts, categories, transactions, preferences]

/** Tables with a user_id that are deliberately never backed up, and why. */
export const EXCLUDED_FROM_BACKUP: Record<string, string> = {
  users: 'identity and password hash: a restore never changes who the user is',
  refresh_tokens: 'credentials',
  audit_log: 'the audit trail must survive restores',
  backups: 'the catalogue of backups itself',
  restores: 'the record of restore jobs',
  deleted_backup_keys: 'storage housekeeping for deleted backups (what the sweep must still remove)',
}

export const OWNER_COLUMN = 'user_id'

function kindOf(col: MySqlColumn): ColumnType {
  const sqlType = col.getSQLType().toLowerCase()
  const len = /\((\d+)\)/.exec(sqlType)?.[1]
  if (col.primary || (/^bigint/.test(sqlType) && col.name.endsWith('_id'))) return { kind: 'id' }
  if (/^(bigint|int|smallint|tinyint)/.test(sqlType)) return { kind: 'int' }
  const dec = /^decimal\((\d+),\s*(\d+)\)/.exec(sqlType)
  if (dec) return { kind: 'decimal', precision: Number(dec[1]), scale: Number(dec[2]) }
  if (/^(varchar|char)/.test(sqlType)) return { kind: 'string', maxLength: Number(len) }
  if (sqlType === 'text') return { kind: 'text', maxLength: 65535 }
  if (sqlType === 'date') return { kind: 'date' }
  if (/^datetime/.test(sqlType)) return { kind: 'datetime' }
  if (sqlType === 'json') return { kind: 'json' }
  if (/^enum/.test(sqlType)) return { kind: 'enum', enumValues: (col as unknown as { enumValues: string[] }).enumValues }
  throw new Error(`registry: no backup mapping for column ${col.name} of type ${sqlType}`)
}

/**
 * The table's foreign keys, read from the schema itself (the one source): restore relies on them
 * being complete to switch foreign-key checks off once the validator has resolved every one.
 */
function referencesOf(cfg: ReturnType<typeof getTableConfig>): ReferenceSpec[] {
  return cfg.foreignKeys.flatMap((fk) => {
    const ref = fk.reference()
    if (ref.columns.length !== 1 || ref.foreignColumns[0]?.name !== 'id') throw new Error(`registry: ${cfg.name} has a foreign key the engine cannot check (only single columns referencing an id)`)
    return [{ column: ref.columns[0]!.name, table: getTableConfig(ref.foreignTable).name }]
  })
}

/** The table's unique keys besides the primary key, as column names. */
function uniqueKeysOf(cfg: ReturnType<typeof getTableConfig>): string[][] {
  const named = (cols: unknown[]) => cols.map(c => (c as { name?: string }).name ?? '(expression)')
  return [
    ...cfg.indexes.filter(i => i.config.unique).map(i => named(i.config.columns)),
    ...cfg.uniqueConstraints.map(u => named(u.columns)),
    ...cfg.columns.filter(c => c.isUnique && !c.primary).map(c => [c.name]),
  ]
}

function toSpec(table: MySqlTable): TableSpec {
  const cfg = getTableConfig(table)
  const pk = cfg.columns.find(c => c.primary)
  if (!pk) throw new Error(`registry: ${cfg.name} has no single-column primary key`)
  if (!cfg.columns.some(c => c.name === OWNER_COLUMN)) throw new Error(`registry: ${cfg.name} has no ${OWNER_COLUMN}`)
  const columns: ColumnSpec[] = cfg.columns
    .filter(c => c.name !== OWNER_COLUMN)
    .map(c => ({ name: c.name, nullable: !c.notNull, hasDefault: c.hasDefault, ...kindOf(c) }))
  return {
    name: cfg.name,
    ownerColumn: OWNER_COLUMN,
    primaryKey: pk.name,
    columns,
    references: referencesOf(cfg),
    updatesInPlace: uniqueKeysOf(cfg).every(k => k.length === 1 && k[0] === OWNER_COLUMN),
  }
}

/** The registry as plain data for the engine, parents before children. */
export const USER_DATA_TABLES: readonly TableSpec[] = Object.freeze(USER_DATA.map(toSpec))
