/**
 * Cofre's one error vocabulary. API errors answer `{ statusCode, message, data: { code, ... } }`:
 * `code` is stable (clients branch on it), `message` is translated from `errors.<code>`.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 422,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  INVALID_CREDENTIALS: 401,
  REFRESH_INVALID: 401,
  REFRESH_REUSED: 401,
  EMAIL_TAKEN: 409,
  NOT_FOUND: 404,
  JOB_IN_PROGRESS: 409,
  RESTORE_IN_PROGRESS: 409,
  QUOTA_EXCEEDED: 409,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
  BACKUP_INVALID: 422,
  BACKUP_NOT_READY: 409,
  JOB_CANCELLED: 409,
  JOB_NOT_CANCELLABLE: 409,
  STORAGE_ERROR: 500,
  DATABASE_ERROR: 500,
  INTERNAL_ERROR: 500,
  JOB_INTERRUPTED: 500,
  SERVICE_BUSY: 503,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

/** Why a backup was refused (data.reason on BACKUP_INVALID). */
export const BACKUP_INVALID_REASONS = [
  'missing_object', 'checksum_mismatch', 'size_mismatch', 'truncated', 'not_gzip', 'malformed',
  'unsupported_format', 'owner_mismatch', 'row_count_mismatch', 'digest_mismatch', 'duplicate_key',
  'dangling_reference', 'unknown_table', 'unknown_column', 'missing_column', 'bad_value', 'too_large',
] as const
export type BackupInvalidReason = typeof BACKUP_INVALID_REASONS[number]

export interface ApiErrorData {
  code: ErrorCode
  reason?: BackupInvalidReason
  /** Field errors for VALIDATION_FAILED: path → message */
  fields?: Record<string, string>
  retryAfterSeconds?: number
  /** STORAGE_ERROR: whether the operations team's notification (SNS) was actually published. */
  notified?: boolean
}
