/**
 * Backup format v1 ("cofre-backup"): gzip-compressed JSON Lines, documented in
 * docs/backup-format.md. Line 1 is the header, then one line per row, table by table in registry
 * order (parents first) and ascending primary key, then the trailer, which carries the row counts
 * and the SHA-256 of every byte before it, so a truncated or edited file is detectable on its own.
 */
export const FORMAT_NAME = 'cofre-backup'
export const FORMAT_VERSION = 1
/** Version of the shape of the user data (tables/columns). Bump it with an upgrade step. */
export const SCHEMA_VERSION = 1
export const FILE_EXTENSION = 'jsonl.gz'

/**
 * The largest row id (and reference) a backup may carry: 2^50. A restore inserts its rows with
 * their ids, and the table's AUTO_INCREMENT, shared by every user, then continues above the
 * largest one; JavaScript represents integers exactly only up to 2^53. With ids at most 2^50,
 * the other users' next ids stay exact for 7 × 2^50 (~7.9e15) more inserts — centuries at a
 * million inserts a second — so API ids can stay JSON numbers. docs/backup-format.md.
 */
export const MAX_ROW_ID = 2 ** 50
export const CONTENT_TYPE = 'application/gzip'

export interface HeaderColumn { name: string, type: string, nullable: boolean }
export interface HeaderTable { name: string, primaryKey: string, columns: HeaderColumn[] }

export interface Header {
  type: 'header'
  format: typeof FORMAT_NAME
  version: number
  schemaVersion: number
  createdAt: string
  userId: number
  backupId: string
  app: { name: string, version: string }
  tables: HeaderTable[]
}

export interface RowLine { t: string, r: unknown[] }

export interface Trailer {
  type: 'trailer'
  rowCounts: Record<string, number>
  /** "sha256:<hex>" of the uncompressed bytes of every line before the trailer. */
  digest: string
}
