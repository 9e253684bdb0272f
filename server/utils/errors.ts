import type { H3Event } from 'h3'
import { ERROR_STATUS, type ApiErrorData, type ErrorCode } from '#shared/errors'
import { BackupInvalidError, isDatabaseFailure, mysqlErrorCode, StorageError, TRANSIENT_DB_CODES } from '../engine/errors'

/** An API error with a stable code; its message is translated when it reaches the client. */
export class AppError extends Error {
  constructor(public readonly code: ErrorCode, public readonly data: Omit<ApiErrorData, 'code'> = {}, options?: { cause?: unknown }) {
    super(code, options)
    this.name = 'AppError'
  }
}

/** Turns an AppError (or a zod/h3 validation error) into the h3 error the client receives. */
export function toHttpError(event: H3Event, err: AppError) {
  const data: ApiErrorData = { code: err.code, ...err.data }
  const message = translate(event, `errors.${err.code}`, { seconds: String(err.data.retryAfterSeconds ?? '') })
  if (err.data.retryAfterSeconds !== undefined) setResponseHeader(event, 'Retry-After', err.data.retryAfterSeconds)
  return createError({ statusCode: ERROR_STATUS[err.code], statusMessage: err.code, message, data })
}


/** Seconds a client is told to wait after a transient database refusal (saturated pool, lock wait). */
const DB_RETRY_SECONDS = 2

/**
 * The one translation of a database failure into the API's words: a saturated pool is 503
 * SERVICE_BUSY with Retry-After (retrying is safe: nothing was written); anything else from the
 * database, a row-lock wait or a deadlock included, is 500 DATABASE_ERROR. Never INTERNAL_ERROR.
 */
export function databaseFailure(err: unknown): AppError {
  if (err instanceof AppError) return err
  const code = mysqlErrorCode(err)
  if (code && TRANSIENT_DB_CODES.has(code)) return new AppError('SERVICE_BUSY', { retryAfterSeconds: DB_RETRY_SECONDS }, { cause: err })
  return new AppError('DATABASE_ERROR', {}, { cause: err })
}

/**
 * The one translation of any failure into the API's vocabulary, used by every service and by the
 * HTTP error mapper: an AppError stays itself; the engine's BackupInvalidError is 422
 * BACKUP_INVALID with its reason; StorageError is 500 STORAGE_ERROR; anything from the database
 * goes through databaseFailure(); the rest is INTERNAL_ERROR.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err
  if (err instanceof BackupInvalidError) return new AppError('BACKUP_INVALID', { reason: err.reason }, { cause: err })
  if (err instanceof StorageError) return new AppError('STORAGE_ERROR', {}, { cause: err })
  if (isDatabaseFailure(err)) return databaseFailure(err)
  return new AppError('INTERNAL_ERROR', {}, { cause: err })
}
