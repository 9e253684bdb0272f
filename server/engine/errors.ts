import type { BackupInvalidReason } from '../../shared/errors'

/** The backup file is not acceptable; `reason` is stable, `detail` is for logs and the user. */
export class BackupInvalidError extends Error {
  constructor(public readonly reason: BackupInvalidReason, public readonly detail = '') {
    super(`backup invalid: ${reason}${detail ? ` (${detail})` : ''}`)
    this.name = 'BackupInvalidError'
  }
}

/** S3 (or the network to it) failed during `operation`. */
export class StorageError extends Error {
  constructor(public readonly operation: string, options: { cause: unknown }) {
    super(`storage error during ${operation}: ${(options.cause as Error)?.name ?? 'Error'}`, options)
    this.name = 'StorageError'
  }

  get awsErrorName(): string { return (this.cause as Error)?.name ?? 'Error' }
  get requestId(): string | undefined { return (this.cause as { $metadata?: { requestId?: string } })?.$metadata?.requestId }
}

/** The database failed during `operation`. */
export class DatabaseError extends Error {
  constructor(public readonly operation: string, options: { cause: unknown }) {
    super(`database error during ${operation}: ${(options.cause as { code?: string })?.code ?? (options.cause as Error)?.message}`, options)
    this.name = 'DatabaseError'
  }
}

/**
 * The driver's error code of a MySQL error (`ER_…`, or POOL_ACQUIRE_TIMEOUT from the pool),
 * also when Drizzle or Cofre wrapped it in `cause`. The one reading of MySQL error codes.
 */
export function mysqlErrorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown, cause?: unknown } | undefined, depth = 0; e && depth < 6; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && (e.code.startsWith('ER_') || e.code === 'POOL_ACQUIRE_TIMEOUT')) return e.code
  }
  return undefined
}

/**
 * True for an error that came from the database or its connection (driver or pool), also when
 * wrapped (Drizzle's query error keeps the driver's error as its cause).
 */
export function isDatabaseFailure(err: unknown): boolean {
  for (let e = err as { code?: unknown, errno?: unknown, sqlState?: unknown, name?: unknown, fatal?: unknown, cause?: unknown } | undefined, depth = 0; e && depth < 6; e = e.cause as typeof e, depth++) {
    if (e instanceof DatabaseError || e.name === 'PoolAcquireTimeoutError') return true
    if (typeof e.sqlState === 'string' || e.fatal === true) return true
    if (typeof e.code === 'string' && (e.code.startsWith('ER_') || e.code.startsWith('PROTOCOL_'))) return true
  }
  return false
}

/**
 * The pool had no connection free in time: the server is busy, the request may simply be retried.
 * (A row-lock wait or a deadlock is a database failure like any other: 500 DATABASE_ERROR, as the
 * seed's A3 says, rolled back.)
 */
export const TRANSIENT_DB_CODES = new Set(['POOL_ACQUIRE_TIMEOUT'])
