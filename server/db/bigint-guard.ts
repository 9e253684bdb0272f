import { MySqlBigInt53 } from 'drizzle-orm/mysql-core'

/**
 * Ids are BIGINT UNSIGNED read as JS numbers (Drizzle's `mode: 'number'`). mysql2
 * (`supportBigNumbers`) hands over a value beyond 2^53 as a string, which Drizzle would turn into
 * the nearest double with `Number()` — a different id, silently. The restore validator keeps ids
 * at most 2^50 (engine/format.ts MAX_ROW_ID), so this cannot happen through the app; should a row
 * get such an id anyway (manual SQL), reading it fails loudly (500 DATABASE_ERROR) instead of
 * answering or acting on a wrong id.
 */
export function exactBigint53(value: unknown): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return value
  }
  else {
    const n = Number(value)
    if (Number.isSafeInteger(n)) return n
  }
  throw new RangeError('a BIGINT value from the database is beyond 2^53 and cannot be represented exactly')
}

MySqlBigInt53.prototype.mapFromDriverValue = exactBigint53
