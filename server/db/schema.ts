// The database schema (Drizzle, MySQL dialect; runs on MariaDB 10.11 and MySQL 8). Migrations are
// generated from this file with `npm run db:generate` and committed under drizzle/.
import { sql } from 'drizzle-orm'
import { BACKUP_KINDS, BACKUP_STATUSES, CATEGORY_KINDS, JOB_STAGES, PROGRESS_UNITS, RESTORE_STATUSES, THEMES } from '../../shared/enums'
import './bigint-guard'
import { bigint, char, date, datetime, decimal, foreignKey, index, int, json, mysqlEnum, mysqlTable, text, uniqueIndex, varchar } from 'drizzle-orm/mysql-core'

const id = () => bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey()
const userId = () => bigint('user_id', { mode: 'number', unsigned: true }).notNull()
const ts = (name: string) => datetime(name, { mode: 'string', fsp: 3 })
const createdAt = () => ts('created_at').notNull().default(sql`CURRENT_TIMESTAMP(3)`)
const updatedAt = () => ts('updated_at').notNull().default(sql`CURRENT_TIMESTAMP(3)`)

/** What every background job row (a backup's, a restore's) records while it runs. */
function jobColumns() {
  return {
    stage: mysqlEnum('stage', JOB_STAGES).notNull().default('queued'),
    progressDone: bigint('progress_done', { mode: 'number', unsigned: true }).notNull().default(0),
    /** 0 while unknown. */
    progressTotal: bigint('progress_total', { mode: 'number', unsigned: true }).notNull().default(0),
    progressUnit: mysqlEnum('progress_unit', PROGRESS_UNITS).notNull().default('rows'),
    /** The API error's data for a failed job (e.g. BACKUP_INVALID's reason, STORAGE_ERROR's notified). */
    errorDetail: json('error_detail').$type<Record<string, unknown>>(),
    /** Deliveries that started running it (a worker killed mid-job leaves it to the next one). */
    attempts: int('attempts').notNull().default(0),
    /** host:pid of the worker running it. */
    workerId: varchar('worker_id', { length: 128 }),
    /** Refreshed by the running worker every few seconds: its age tells a live job from a dead one, on any machine. */
    heartbeatAt: ts('heartbeat_at'),
    startedAt: ts('started_at'),
    cancelRequestedAt: ts('cancel_requested_at'),
  }
}

// ── Identity (never part of a backup) ─────────────────────────────────────────────────────────
export const users = mysqlTable('users', {
  id: id(),
  email: varchar('email', { length: 254 }).notNull(),
  name: varchar('name', { length: 120 }).notNull(),
  passwordHash: varchar('password_hash', { length: 255 }).notNull(),
  /**
   * Set while a restore replaces this user's data (from before its safety backup to its commit):
   * ledger writes read it under a shared lock and answer 409 RESTORE_IN_PROGRESS, so no write can
   * be acknowledged and then lost. Trusted only while the user's job lock is held (a crashed
   * restore leaves it set, harmlessly).
   */
  restoringSince: ts('restoring_since'),
  createdAt: createdAt(),
}, t => [uniqueIndex('users_email_uq').on(t.email), index('users_created_idx').on(t.createdAt)])

/** Refresh tokens, stored as SHA-256 hashes; a family is one sign-in's chain of rotations. */
export const refreshTokens = mysqlTable('refresh_tokens', {
  id: id(),
  userId: userId(),
  familyId: char('family_id', { length: 36 }).notNull(),
  tokenHash: char('token_hash', { length: 64 }).notNull(),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
  revokedAt: ts('revoked_at'),
  createdAt: createdAt(),
}, t => [
  uniqueIndex('refresh_tokens_hash_uq').on(t.tokenHash),
  index('refresh_tokens_user_idx').on(t.userId),
  // (family, revoked_at): "is any token of this family revoked?" — asked for every authenticated
  // request (cached a few seconds) — is answered from the index alone, however long the family.
  index('refresh_tokens_family_revoked_idx').on(t.familyId, t.revokedAt),
  // For the hourly prune of expired tokens.
  index('refresh_tokens_expires_idx').on(t.expiresAt),
])

/** rate-limiter-flexible's MySQL store (its own layout; created here so the app needs no DDL rights). */
export const rateLimits = mysqlTable('rate_limits', {
  key: varchar('key', { length: 255 }).notNull().primaryKey(),
  points: int('points').notNull().default(0),
  expire: bigint('expire', { mode: 'number', unsigned: true }),
}, t => [index('rate_limits_expire_idx').on(t.expire)])

// ── The ledger: everything here is user data and goes into backups (see registry.ts) ───────
export const accounts = mysqlTable('accounts', {
  id: id(),
  userId: userId(),
  name: varchar('name', { length: 120 }).notNull(),
  currency: char('currency', { length: 3 }).notNull(),
  openingBalance: decimal('opening_balance', { precision: 14, scale: 2 }).notNull().default('0.00'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, t => [index('accounts_user_idx').on(t.userId)])

export const categories = mysqlTable('categories', {
  id: id(),
  userId: userId(),
  name: varchar('name', { length: 120 }).notNull(),
  kind: mysqlEnum('kind', CATEGORY_KINDS).notNull(),
  parentId: bigint('parent_id', { mode: 'number', unsigned: true }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, t => [
  index('categories_user_idx').on(t.userId),
  foreignKey({ columns: [t.parentId], foreignColumns: [t.id], name: 'categories_parent_fk' }).onDelete('set null'),
])

export const transactions = mysqlTable('transactions', {
  id: id(),
  userId: userId(),
  accountId: bigint('account_id', { mode: 'number', unsigned: true }).notNull().references(() => accounts.id, { onDelete: 'restrict' }),
  categoryId: bigint('category_id', { mode: 'number', unsigned: true }).references(() => categories.id, { onDelete: 'set null' }),
  amount: decimal('amount', { precision: 14, scale: 2 }).notNull(),
  date: date('date', { mode: 'string' }).notNull(),
  description: varchar('description', { length: 255 }).notNull(),
  notes: text('notes'),
  tags: json('tags').$type<string[]>().notNull().default(sql`(JSON_ARRAY())`),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, t => [
  index('transactions_user_date_idx').on(t.userId, t.date),
  index('transactions_account_idx').on(t.accountId),
  index('transactions_category_idx').on(t.categoryId),
])

export const preferences = mysqlTable('preferences', {
  id: id(),
  userId: userId(),
  locale: varchar('locale', { length: 10 }).notNull().default('pt-BR'),
  theme: mysqlEnum('theme', THEMES).notNull().default('system'),
  defaultCurrency: char('default_currency', { length: 3 }).notNull().default('BRL'),
  updatedAt: updatedAt(),
}, t => [uniqueIndex('preferences_user_uq').on(t.userId)])

// ── Backups, jobs and audit (never part of a backup) ─────────────────────────────────────────
export const backups = mysqlTable('backups', {
  id: char('id', { length: 36 }).primaryKey(),
  userId: userId(),
  /** s3://bucket/key of the object (the seed's `url`); download links are presigned on demand. */
  url: varchar('url', { length: 1024 }).notNull(),
  status: mysqlEnum('status', BACKUP_STATUSES).notNull().default('running'),
  kind: mysqlEnum('kind', BACKUP_KINDS).notNull().default('manual'),
  sizeBytes: bigint('size_bytes', { mode: 'number', unsigned: true }),
  sha256: char('sha256', { length: 64 }),
  formatVersion: int('format_version').notNull(),
  schemaVersion: int('schema_version').notNull(),
  rowCounts: json('row_counts').$type<Record<string, number>>(),
  /** Why it failed (an error code), or for `invalid` the BACKUP_INVALID reason. */
  errorCode: varchar('error_code', { length: 64 }),
  /** The user's own words for it (at most 140 characters), so backups can be told apart. */
  note: varchar('note', { length: 140 }),
  /** On a safety backup: the backup whose restore it was taken before (no FK: that one may be deleted). */
  restoreOf: char('restore_of', { length: 36 }),
  /** When this backup was last restored successfully (for a safety backup: when it was undone to). */
  restoredAt: ts('restored_at'),
  ...jobColumns(),
  createdAt: createdAt(),
  completedAt: ts('completed_at'),
  /**
   * Which attempt's object a completed backup is: every attempt writes its own key (an attempt
   * after the first adds `.a<n>`), so a frozen attempt that S3 finishes late never replaces the
   * object another attempt completed. NULL: the key without an attempt (attempt 1, safety backups,
   * and every row from before attempts had keys of their own).
   */
  objectAttempt: int('object_attempt'),
  /** An ended backup: when the keys its attempts may have left were removed again, after what a slow S3 may still have made (sweepLeftovers). */
  sweptAt: ts('swept_at'),
  // status, swept_at, completed_at: the sweep reads the ended rows not swept yet, oldest first.
}, t => [index('backups_user_created_idx').on(t.userId, t.createdAt), index('backups_status_idx').on(t.status, t.sweptAt, t.completedAt)])

/**
 * A restore job (a backup job is its `backups` row). The row is the one source of truth for the
 * screen; the SQS message only says "run restore <id>".
 */
export const restores = mysqlTable('restores', {
  id: char('id', { length: 36 }).primaryKey(),
  userId: userId(),
  /** The backup being restored (no FK: the user may delete it afterwards; the record stays). */
  backupId: char('backup_id', { length: 36 }).notNull(),
  status: mysqlEnum('status', RESTORE_STATUSES).notNull().default('queued'),
  errorCode: varchar('error_code', { length: 64 }),
  /** The safety backup taken before the data was replaced (set as soon as it is registered). */
  safetyBackupId: char('safety_backup_id', { length: 36 }),
  /** Rows per table after a completed restore. */
  restored: json('restored').$type<Record<string, number>>(),
  ...jobColumns(),
  createdAt: createdAt(),
  completedAt: ts('completed_at'),
}, t => [index('restores_user_created_idx').on(t.userId, t.createdAt), index('restores_status_idx').on(t.status)])

/**
 * A deleted backup whose keys may still get an object: S3 finishing late a creating request of one
 * of its attempts (a failed or cancelled upload, a frozen attempt). Written with the row's delete
 * when the sweep had not visited the row yet; once `due_at` passes, the sweep removes every
 * attempt's key once more and this row with it (sweepLeftovers).
 */
export const deletedBackupKeys = mysqlTable('deleted_backup_keys', {
  backupId: char('backup_id', { length: 36 }).primaryKey(),
  userId: userId(),
  attempts: int('attempts').notNull(),
  dueAt: ts('due_at').notNull(),
}, t => [index('deleted_backup_keys_due_idx').on(t.dueAt)])

export const auditLog = mysqlTable('audit_log', {
  id: id(),
  userId: userId(),
  action: varchar('action', { length: 64 }).notNull(),
  targetId: varchar('target_id', { length: 64 }),
  outcome: mysqlEnum('outcome', ['success', 'failure']).notNull().default('success'),
  detail: json('detail').$type<Record<string, unknown>>(),
  ip: varchar('ip', { length: 64 }),
  createdAt: createdAt(),
}, t => [index('audit_user_created_idx').on(t.userId, t.createdAt)])

export type User = typeof users.$inferSelect
export type Account = typeof accounts.$inferSelect
export type Category = typeof categories.$inferSelect
export type Transaction = typeof transactions.$inferSelect
export type Preference = typeof preferences.$inferSelect
export type Backup = typeof backups.$inferSelect
export type Restore = typeof restores.$inferSelect
export type AuditEntry = typeof auditLog.$inferSelect
