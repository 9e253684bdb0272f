import type { H3Event } from 'h3'
import { ERROR_STATUS, type ApiErrorData, type ErrorCode } from '#shared/errors'

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

