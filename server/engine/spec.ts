/**
 * The engine's plain description of user-owned data, built from the Drizzle schema by
 * server/db/registry.ts. The engine knows nothing else about the database.
 */
export type ColumnKind = 'id' | 'int' | 'decimal' | 'string' | 'text' | 'date' | 'datetime' | 'json' | 'enum'

/** A column of a user-owned table; what else it carries depends on its kind. */
export type ColumnSpec = {
  name: string
  nullable: boolean
  /** The database fills it when an insert omits it. */
  hasDefault: boolean
} & ColumnType

export type ColumnType =
  | { kind: 'id' | 'int' | 'date' | 'datetime' | 'json' }
  /** decimal precision and scale */
  | { kind: 'decimal', precision: number, scale: number }
  /** varchar/char length in characters, text byte limit */
  | { kind: 'string' | 'text', maxLength: number }
  | { kind: 'enum', enumValues: readonly string[] }

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
  /**
   * Whether a changed row may be updated in place: no unique key but the primary key, except
   * keys of the owner column alone (never changed by a restore). With another unique key, rows
   * that swap values would collide mid-UPDATE, so they are deleted and inserted again instead.
   */
  updatesInPlace: boolean
}
