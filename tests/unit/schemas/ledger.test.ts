import { describe, expect, it } from 'vitest'
import {
  accountCreateSchema, accountUpdateSchema, categoryCreateSchema, idParams, isCalendarDate, money, normalizeDecimal,
  preferencesUpdateSchema, transactionCreateSchema, transactionListQuery, transactionUpdateSchema,
} from '../../../shared/schemas/ledger'

const firstMessage = (r: { success: boolean, error?: { issues: { message: string, path: PropertyKey[] }[] } }) => r.error?.issues[0]?.message
const fieldsOf = (r: { error?: { issues: { message: string, path: PropertyKey[] }[] } }) =>
  Object.fromEntries((r.error?.issues ?? []).map(i => [i.path.join('.') || '_', i.message]))

const validTx = { accountId: 1, amount: '-12.5', date: '2024-02-29', description: 'Café ☕' }

describe('money', () => {
  it.each([
    ['0.10', '0.10'], ['1.5', '1.50'], ['-1234567890.12', '-1234567890.12'], ['999999999999.99', '999999999999.99'],
    ['007', '7.00'], ['-0', '0.00'], ['-0.00', '0.00'], [' 42 ', '42.00'], ['-0.01', '-0.01'],
  ])('keeps %j as the exact string %j', (input, expected) => {
    expect(money.parse(input)).toBe(expected)
  })

  it.each(['1.234', '1e5', '1,50', '', '.5', '5.', '+1', '1000000000000', 'NaN', '0x10', '--1'])('refuses %j', (input) => {
    const r = money.safeParse(input)
    expect(r.success).toBe(false)
    expect(firstMessage(r)).toBe('validation_ledger.amount')
  })

  it('refuses numbers: money never travels as a float', () => {
    expect(money.safeParse(0.1).success).toBe(false)
    expect(firstMessage(money.safeParse(12))).toBe('validation_ledger.amount')
  })

  it('normalizeDecimal pads and strips leading zeros', () => {
    expect(normalizeDecimal('00.5')).toBe('0.50')
    expect(normalizeDecimal('-100')).toBe('-100.00')
  })
})

describe('isCalendarDate', () => {
  it('accepts real days, including leap days', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true)
    expect(isCalendarDate('1999-12-31')).toBe(true)
  })
  it.each(['2023-02-29', '2024-13-01', '2024-04-31', '2024-1-01', '24-01-01', '0999-01-01', '2024-01-01T00:00:00Z', ''])('refuses %j', (d) => {
    expect(isCalendarDate(d)).toBe(false)
  })
})

describe('accountCreateSchema', () => {
  it('normalizes currency and opening balance and defaults the balance to 0.00', () => {
    expect(accountCreateSchema.parse({ name: ' Nubank 💜 ', currency: 'brl' })).toEqual({ name: 'Nubank 💜', currency: 'BRL', openingBalance: '0.00' })
    expect(accountCreateSchema.parse({ name: 'A', currency: 'USD', openingBalance: '10' }).openingBalance).toBe('10.00')
  })

  it('names every bad field with an i18n key', () => {
    const r = accountCreateSchema.safeParse({ name: '', currency: 'REAL', openingBalance: 'x' })
    expect(fieldsOf(r)).toEqual({ name: 'validation.required', currency: 'validation_ledger.currency', openingBalance: 'validation_ledger.amount' })
    expect(fieldsOf(accountCreateSchema.safeParse({}))).toMatchObject({ name: 'validation.required', currency: 'validation.required' })
    expect(fieldsOf(accountCreateSchema.safeParse({ name: 'x'.repeat(121), currency: 'BRL' }))).toEqual({ name: 'validation.tooLong' })
  })

  it('refuses unknown fields (mass assignment)', () => {
    for (const extra of [{ userId: 2 }, { user_id: 2 }, { id: 9 }, { createdAt: '2020-01-01' }]) {
      const r = accountCreateSchema.safeParse({ name: 'A', currency: 'BRL', ...extra })
      expect(r.success).toBe(false)
      expect(fieldsOf(r)._).toBe('validation_ledger.unknownField')
    }
    expect(accountUpdateSchema.safeParse({ user_id: 2 }).success).toBe(false)
  })

  it('allows a partial update', () => {
    expect(accountUpdateSchema.parse({ openingBalance: '-3.1' })).toEqual({ openingBalance: '-3.10' })
    expect(accountUpdateSchema.parse({})).toEqual({})
  })
})

describe('categoryCreateSchema', () => {
  it('defaults parentId to null and checks kind', () => {
    expect(categoryCreateSchema.parse({ name: 'Açougue', kind: 'expense' })).toEqual({ name: 'Açougue', kind: 'expense', parentId: null })
    expect(fieldsOf(categoryCreateSchema.safeParse({ name: 'x', kind: 'gift' }))).toEqual({ kind: 'validation_ledger.kind' })
    expect(fieldsOf(categoryCreateSchema.safeParse({ name: 'x', kind: 'income', parentId: 0 }))).toEqual({ parentId: 'validation_ledger.id' })
    expect(fieldsOf(categoryCreateSchema.safeParse({ name: 'x', kind: 'income', parentId: '3' }))).toEqual({ parentId: 'validation_ledger.id' })
    expect(categoryCreateSchema.parse({ name: 'x', kind: 'income', parentId: 3 }).parentId).toBe(3)
  })
})

describe('transactionCreateSchema', () => {
  it('fills defaults and keeps the amount a string', () => {
    expect(transactionCreateSchema.parse(validTx)).toEqual({ ...validTx, amount: '-12.50', categoryId: null, notes: null, tags: [] })
  })

  it('trims and de-duplicates tags, and treats an empty note as none', () => {
    const r = transactionCreateSchema.parse({ ...validTx, tags: [' pix ', 'pix', '🎉'], notes: '   ' })
    expect(r.tags).toEqual(['pix', '🎉'])
    expect(r.notes).toBeNull()
    expect(transactionCreateSchema.parse({ ...validTx, notes: '  keep  me ' }).notes).toBe('  keep  me ')
  })

  it('refuses bad dates, long texts, too many or too long tags', () => {
    expect(fieldsOf(transactionCreateSchema.safeParse({ ...validTx, date: '2023-02-29' }))).toEqual({ date: 'validation_ledger.date' })
    expect(fieldsOf(transactionCreateSchema.safeParse({ ...validTx, description: 'x'.repeat(256) }))).toEqual({ description: 'validation.tooLong' })
    expect(fieldsOf(transactionCreateSchema.safeParse({ ...validTx, notes: 'x'.repeat(10_001) }))).toEqual({ notes: 'validation.tooLong' })
    expect(transactionCreateSchema.safeParse({ ...validTx, notes: 'x'.repeat(10_000) }).success).toBe(true)
    expect(fieldsOf(transactionCreateSchema.safeParse({ ...validTx, tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }))).toEqual({ tags: 'validation_ledger.tooManyTags' })
    expect(fieldsOf(transactionCreateSchema.safeParse({ ...validTx, tags: ['x'.repeat(41)] }))).toEqual({ 'tags.0': 'validation_ledger.tag' })
    expect(fieldsOf(transactionCreateSchema.safeParse({ ...validTx, tags: [''] }))).toEqual({ 'tags.0': 'validation_ledger.tag' })
  })

  it('requires account, amount, date and description', () => {
    expect(fieldsOf(transactionCreateSchema.safeParse({}))).toEqual({
      accountId: 'validation.required', amount: 'validation.required', date: 'validation.required', description: 'validation.required',
    })
  })

  it('refuses unknown fields on create and update', () => {
    expect(fieldsOf(transactionCreateSchema.safeParse({ ...validTx, userId: 1 }))._).toBe('validation_ledger.unknownField')
    expect(transactionUpdateSchema.safeParse({ id: 1 }).success).toBe(false)
    expect(transactionUpdateSchema.parse({ categoryId: null })).toEqual({ categoryId: null })
  })
})

describe('preferencesUpdateSchema', () => {
  it('accepts the known values only', () => {
    expect(preferencesUpdateSchema.parse({ locale: 'en', theme: 'dark', defaultCurrency: 'eur' })).toEqual({ locale: 'en', theme: 'dark', defaultCurrency: 'EUR' })
    expect(preferencesUpdateSchema.safeParse({ locale: 'fr' }).success).toBe(false)
    expect(preferencesUpdateSchema.safeParse({ theme: 'blue' }).success).toBe(false)
    expect(preferencesUpdateSchema.safeParse({ userId: 3 }).success).toBe(false)
  })
})

describe('query and params', () => {
  it('parses list queries from strings with defaults', () => {
    expect(transactionListQuery.parse({})).toEqual({ page: 1, pageSize: 25 })
    expect(transactionListQuery.parse({ page: '3', pageSize: '100', accountId: '7', from: '2024-01-01', to: '2024-12-31', sortBy: 'amount', sortDesc: 'false' }))
      .toEqual({ page: 3, pageSize: 100, accountId: 7, from: '2024-01-01', to: '2024-12-31', sortBy: 'amount', sortDesc: false })
  })

  it.each([{ page: '0' }, { pageSize: '101' }, { pageSize: 'abc' }, { accountId: '-1' }, { from: '2024-02-30' }, { sortBy: 'user_id' }, { from: '2024-02-01', to: '2024-01-01' }])('refuses %j', (q) => {
    expect(transactionListQuery.safeParse(q).success).toBe(false)
  })

  it('accepts positive integer ids only', () => {
    expect(idParams.parse({ id: '42' })).toEqual({ id: 42 })
    for (const id of ['0', '-1', '1.5', '1e3', 'abc', '01', '', '99999999999999999']) expect(idParams.safeParse({ id }).success).toBe(false)
  })
})
