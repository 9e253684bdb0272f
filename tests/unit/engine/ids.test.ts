// Ids: bounded in backups (so the shared AUTO_INCREMENT stays exact) and never read inexactly.
import { describe, expect, it } from 'vitest'
import { exactBigint53 } from '../../../server/db/bigint-guard'
import { MAX_ROW_ID } from '../../../server/engine/format'
import { valueChecker } from '../../../server/engine/restore/values'

describe('backup id values', () => {
  const check = valueChecker({ name: 'id', kind: 'id', nullable: false, hasDefault: false })
  it('accepts 1 .. 2^50', () => {
    expect(MAX_ROW_ID).toBe(2 ** 50)
    for (const v of [1, 42, 2 ** 31, MAX_ROW_ID]) expect(check(v), String(v)).toBe(true)
  })
  it('refuses anything above 2^50, and non-positive or non-integer values', () => {
    for (const v of [MAX_ROW_ID + 1, 2 ** 53 - 10, Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 64, 0, -1, 1.5, '7', null]) expect(check(v), String(v)).toBe(false)
  })
})

describe('reading BIGINT ids from the database', () => {
  it('keeps exact values', () => {
    expect(exactBigint53(7)).toBe(7)
    expect(exactBigint53('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER)
  })
  it('fails loudly instead of rounding a value beyond 2^53 (mysql2 hands those over as strings)', () => {
    expect(() => exactBigint53('9007199254740993')).toThrow(RangeError)
    expect(() => exactBigint53('18446744073709551615')).toThrow(RangeError)
  })
  it('is what Drizzle uses for the schema\'s BIGINT columns', async () => {
    const { transactions } = await import('../../../server/db/schema')
    expect(() => transactions.id.mapFromDriverValue('9007199254740993' as never)).toThrow(RangeError)
    expect(transactions.accountId.mapFromDriverValue('123' as never)).toBe(123)
  })
})
