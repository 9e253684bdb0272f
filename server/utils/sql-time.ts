/**
 * DATETIME(3) columns hold UTC as 'YYYY-MM-DD HH:MM:SS.mmm' (dateStrings): to and from ISO 8601.
 */
export const toSqlTime = (d: Date = new Date()) => d.toISOString().replace('T', ' ').replace('Z', '')
export const fromSqlTime = (sqlTime: string) => `${sqlTime.replace(' ', 'T')}Z`
export const fromSqlTimeOrNull = (sqlTime: string | null) => (sqlTime ? fromSqlTime(sqlTime) : null)
