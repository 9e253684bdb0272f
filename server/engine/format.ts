import { BACKUP_FILE_EXTENSIONS } from '../../shared/backup-filename'
import { zstdSupported, type Container } from './compression'

/**
 * The backup format ("cofre-backup"), documented in docs/backup-format.md: compressed JSON Lines.
 * Line 1 is the header, then the rows, table by table in registry order (parents first) and
 * ascending primary key, then the trailer, which carries the row counts and the SHA-256 of every
 * byte before it, so a truncated or edited file is detectable on its own.
 *  - version 1: gzip; each row a line `{"t":"<table>","r":[…]}`.
 *  - version 2: zstd; each table's rows follow one line `{"t":"<table>"}`, each row a bare array
 *    `[…]` (≈ 15 % fewer bytes to hash and compress; zstd level 1 took about half the CPU of
 *    gzip level 1 here, and its files are ≈ 17 % smaller: docs/performance.md).
 * Every version here is read; new backups are written in FORMAT_VERSION.
 */
export const FORMAT_NAME = 'cofre-backup'
export const READABLE_FORMAT_VERSIONS = [1, 2] as const
export type FormatVersion = typeof READABLE_FORMAT_VERSIONS[number]
export const LATEST_FORMAT_VERSION: FormatVersion = 2
/** The container each version is compressed with (a file in another is refused). */
export const CONTAINER_OF: Record<FormatVersion, Container> = { 1: 'gzip', 2: 'zstd' }
/** The extension of a downloaded file of each version (shared/backup-filename.ts). */
export const FILE_EXTENSIONS: Record<FormatVersion, string> = { 1: BACKUP_FILE_EXTENSIONS[1]!, 2: BACKUP_FILE_EXTENSIONS[2]! }
export const CONTENT_TYPES: Record<FormatVersion, string> = { 1: 'application/gzip', 2: 'application/zstd' }

/**
 * The version new backups are written in, fixed at start-up: 2 when this Node's zstd passes the
 * probe (compression.ts; it is experimental in Node 24), else 1 with a process warning.
 */
export const FORMAT_VERSION: FormatVersion = zstdSupported() ? LATEST_FORMAT_VERSION : 1
if (FORMAT_VERSION !== LATEST_FORMAT_VERSION) {
  process.emitWarning(`node:zlib has no working zstd: backups are written in format ${FORMAT_VERSION} (gzip); format-2 files cannot be restored by this process`, { code: 'COFRE_NO_ZSTD' })
}
/** Version of the shape of the user data (tables/columns). Bump it with an upgrade step. */
export const SCHEMA_VERSION = 1
/**
 * The S3 key's suffix, the same for every format: server/services derives the key of every
 * existing backup from it (users/<user>/backups/<id>.jsonl.gz, or <id>.a<n>.jsonl.gz when attempt
 * n > 1 of its job wrote it), so it cannot follow the format
 * without moving old objects. The object's Content-Type and `cofre-format-version` metadata, and
 * the file's own magic number, tell the formats apart; FILE_EXTENSIONS names downloads.
 */
export const FILE_EXTENSION = 'jsonl.gz'

/**
 * The largest row id (and reference) a backup may carry: 2^50. A restore inserts its rows with
 * their ids, and the table's AUTO_INCREMENT, shared by every user, then continues above the
 * largest one; JavaScript represents integers exactly only up to 2^53. With ids at most 2^50,
 * the other users' next ids stay exact for 7 × 2^50 (~7.9e15) more inserts — centuries at a
 * million inserts a second — so API ids can stay JSON numbers. docs/backup-format.md.
 */
export const MAX_ROW_ID = 2 ** 50
export const CONTENT_TYPE = CONTENT_TYPES[FORMAT_VERSION]

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

/** A row in format 1. */
export interface RowLine { t: string, r: unknown[] }
/** The line before a table's rows in format 2 (the rows are bare arrays). */
export interface TableLine { t: string }

export interface Trailer {
  type: 'trailer'
  rowCounts: Record<string, number>
  /** "sha256:<hex>" of the uncompressed bytes of every line before the trailer. */
  digest: string
}
