/**
 * The engine's plain description of user-owned data, built from the Drizzle schema by
 * server/db/registry.ts. The engine knows nothing else about the database.
 */
export type ColumnKind = 'id' | 'int' | 'decimal' | 'string' | 'text' | 'date' | 'datetime' | 'json' | 'enum'

export interface ColumnSpec {
  name: string
  kind: ColumnKind
  nullable: boolean
  /** The database fills it when an insert omits it. */
  hasDefault: boolean
  /** varchar/char length in characters, text byte limit */
  maxLength?: number
  /** decimal precision and scale */
  precision?: number
  scale?: number
  enumValues?: readonly string[]
}

export interface ReferenceSpec {
  column: string
  table: string
}

export interface TableSpec {
  name: string
  /** Column that names the owner; never written to a backup, always re-owned on restore. */
  ownerColumn: string
  primaryKey: string
  /** Every column but the owner column, in backup order. */
  columns: ColumnSpec[]
  references: ReferenceSpec[]
}
