import { sql } from 'drizzle-orm'

/** SQL's own clock for updated_at, so every row is stamped by the database like created_at. */
export const now = () => sql`CURRENT_TIMESTAMP(3)`

export const offsetOf = (q: { page: number, pageSize: number }) => (q.page - 1) * q.pageSize

/** The MySQL error code (ER_...) of a driver error, also when Drizzle wraps it in `cause`. */
export function mysqlErrorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown, cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && e.code.startsWith('ER_')) return e.code
  }
  return undefined
}

/** 422 VALIDATION_FAILED naming the offending fields (messages are i18n keys). */
export const invalid = (fields: Record<string, string>) => new AppError('VALIDATION_FAILED', { fields })
