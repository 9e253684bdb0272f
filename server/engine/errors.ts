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
