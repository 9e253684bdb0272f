import { sql } from 'drizzle-orm'

/** SQL's own clock for updated_at, so every row is stamped by the database like created_at. */
export const now = () => sql`CURRENT_TIMESTAMP(3)`

export const offsetOf = (q: { page: number, pageSize: number }) => (q.page - 1) * q.pageSize

export { mysqlErrorCode } from '../../engine/errors'

/** 422 VALIDATION_FAILED naming the offending fields (messages are i18n keys). */
export const invalid = (fields: Record<string, string>) => new AppError('VALIDATION_FAILED', { fields })
