import { z } from 'zod'
import type { Account, Category, Preference, Transaction } from '../../server/db/schema'
import { CATEGORY_KINDS, LOCALES, THEMES } from '../enums'
import { text } from './text'

export { CATEGORY_KINDS, LOCALES, THEMES }

// The ledger's input rules, shared by the forms (useZodRules) and the API (readBodyWith/queryWith).
// Messages are i18n keys: 'validation.*' (auth.json) and 'validation_ledger.*' (ledger.json).
// Money is a decimal STRING end to end (DECIMAL(14,2) in MySQL): never parsed into a float.

/** At most 12 integer digits and 2 decimals: exactly what DECIMAL(14,2) holds. */
export const DECIMAL_PATTERN = /^-?\d{1,12}(\.\d{1,2})?$/
export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/
export const CURRENCY_PATTERN = /^[A-Z]{3}$/

/** '1.5' → '1.50', '-007' → '-7.00', '-0' → '0.00'; the input must already match DECIMAL_PATTERN. */
export function normalizeDecimal(value: string): string {
  const negative = value.startsWith('-')
  const [int = '0', frac = ''] = value.replace(/^-/, '').split('.')
  const digits = int.replace(/^0+(?=\d)/, '')
  const cents = frac.padEnd(2, '0')
  const zero = /^0+$/.test(digits) && /^0+$/.test(cents)
  return `${negative && !zero ? '-' : ''}${digits}.${cents}`
}

/** A real calendar day between years 1000 and 9999 (MySQL's DATE range), e.g. not 2023-02-29. */
export function isCalendarDate(value: string): boolean {
  if (!DATE_PATTERN.test(value)) return false
  const [y, m, d] = value.split('-').map(Number) as [number, number, number]
  if (y < 1000) return false
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}

/** 'validation.required' when the field is missing, the given key otherwise. */
const orRequired = (key: string) => (issue: { input?: unknown }) => (issue.input === undefined || issue.input === null ? 'validation.required' : key)

/** Bodies refuse unknown fields (no mass assignment of id, user_id, ...). */
const strictBody = <T extends z.core.$ZodLooseShape>(shape: T) => z.strictObject(shape, {
  error: issue => (issue.code === 'unrecognized_keys' ? 'validation_ledger.unknownField' : 'validation.invalid'),
})

export const money = text({ error: orRequired('validation_ledger.amount') })
  .trim()
  .regex(DECIMAL_PATTERN, 'validation_ledger.amount')
  .transform(normalizeDecimal)

export const currency = text({ error: orRequired('validation_ledger.currency') })
  .trim()
  .toUpperCase()
  .regex(CURRENCY_PATTERN, 'validation_ledger.currency')

export const calendarDate = text({ error: orRequired('validation_ledger.date') })
  .refine(isCalendarDate, 'validation_ledger.date')

/** A row id in a JSON body. */
export const id = z.number({ error: orRequired('validation_ledger.id') })
  .int('validation_ledger.id')
  .positive('validation_ledger.id')
  .max(Number.MAX_SAFE_INTEGER, 'validation_ledger.id')

/** A row id in a URL (path or query string): digits only, no sign, exponent or leading zero. */
export const idString = text({ error: orRequired('validation_ledger.id') })
  .regex(/^[1-9]\d{0,15}$/, 'validation_ledger.id')
  .transform(Number)
  .refine(Number.isSafeInteger, 'validation_ledger.id')

export const idParams = z.object({ id: idString })

const name = text({ error: orRequired('validation.invalid') }).trim().min(1, 'validation.required').max(120, 'validation.tooLong')

// ── Accounts ─────────────────────────────────────────────────────────────────────────────────
export const accountCreateSchema = strictBody({
  name,
  currency,
  openingBalance: money.default('0.00'),
})
export const accountUpdateSchema = strictBody({
  name: name.optional(),
  currency: currency.optional(),
  openingBalance: money.optional(),
})

// ── Categories ───────────────────────────────────────────────────────────────────────────────
export const categoryKind = z.enum(CATEGORY_KINDS, { error: orRequired('validation_ledger.kind') })

export const categoryCreateSchema = strictBody({
  name,
  kind: categoryKind,
  parentId: id.nullable().default(null),
})
export const categoryUpdateSchema = strictBody({
  name: name.optional(),
  kind: categoryKind.optional(),
  parentId: id.nullable().optional(),
})

// ── Transactions ─────────────────────────────────────────────────────────────────────────────
export const description = text({ error: orRequired('validation.invalid') }).trim().min(1, 'validation.required').max(255, 'validation.tooLong')
/** Free text kept as typed; an empty note is no note. */
export const notes = text({ error: 'validation.invalid' }).max(10_000, 'validation.tooLong').nullable()
  .transform(v => (v === null || v.trim() === '' ? null : v))
export const tag = text({ error: 'validation_ledger.tag' }).trim().min(1, 'validation_ledger.tag').max(40, 'validation_ledger.tag')
/** Up to 20 tags; duplicates are dropped, first occurrence kept. */
export const tags = z.array(tag, { error: 'validation.invalid' }).max(20, 'validation_ledger.tooManyTags')
  .transform(list => [...new Set(list)])

export const transactionCreateSchema = strictBody({
  accountId: id,
  categoryId: id.nullable().default(null),
  amount: money,
  date: calendarDate,
  description,
  notes: notes.default(null),
  tags: tags.default([]),
})
export const transactionUpdateSchema = strictBody({
  accountId: id.optional(),
  categoryId: id.nullable().optional(),
  amount: money.optional(),
  date: calendarDate.optional(),
  description: description.optional(),
  notes: notes.optional(),
  tags: tags.optional(),
})

// ── Preferences ──────────────────────────────────────────────────────────────────────────────
export const preferencesUpdateSchema = strictBody({
  locale: z.enum(LOCALES, { error: 'validation.invalid' }).optional(),
  theme: z.enum(THEMES, { error: 'validation.invalid' }).optional(),
  defaultCurrency: currency.optional(),
})

// ── Lists (query strings) ────────────────────────────────────────────────────────────────────
export const MAX_PAGE_SIZE = 100
const page = z.coerce.number({ error: 'validation.invalid' }).int('validation.invalid').min(1, 'validation.invalid').max(1_000_000, 'validation.invalid').default(1)
const pageSize = z.coerce.number({ error: 'validation.invalid' }).int('validation.invalid').min(1, 'validation.invalid').max(MAX_PAGE_SIZE, 'validation.invalid').default(25)
const sortDesc = z.enum(['true', 'false'], { error: 'validation.invalid' }).transform(v => v === 'true').optional()
const listQuery = <S extends readonly [string, ...string[]]>(sortable: S) => z.object({
  page,
  pageSize,
  sortBy: z.enum(sortable, { error: 'validation.invalid' }).optional(),
  sortDesc,
})

export const ACCOUNT_SORT = ['name', 'currency', 'openingBalance', 'createdAt'] as const
export const CATEGORY_SORT = ['name', 'kind', 'createdAt'] as const
export const TRANSACTION_SORT = ['date', 'amount', 'description'] as const

export const accountListQuery = listQuery(ACCOUNT_SORT)
export const categoryListQuery = listQuery(CATEGORY_SORT).extend({ kind: categoryKind.optional() })
export const transactionListQuery = listQuery(TRANSACTION_SORT).extend({
  accountId: idString.optional(),
  categoryId: idString.optional(),
  from: calendarDate.optional(),
  to: calendarDate.optional(),
}).refine(q => !q.from || !q.to || q.from <= q.to, { message: 'validation_ledger.dateRange', path: ['to'] })

// ── Types ────────────────────────────────────────────────────────────────────────────────────
export type AccountCreate = z.infer<typeof accountCreateSchema>
export type AccountUpdate = z.infer<typeof accountUpdateSchema>
export type CategoryCreate = z.infer<typeof categoryCreateSchema>
export type CategoryUpdate = z.infer<typeof categoryUpdateSchema>
export type TransactionCreate = z.infer<typeof transactionCreateSchema>
export type TransactionUpdate = z.infer<typeof transactionUpdateSchema>
export type PreferencesUpdate = z.infer<typeof preferencesUpdateSchema>
export type AccountListQuery = z.infer<typeof accountListQuery>
export type CategoryListQuery = z.infer<typeof categoryListQuery>
export type TransactionListQuery = z.infer<typeof transactionListQuery>

export interface Page<T> { items: T[], total: number, page: number, pageSize: number }

/** What the API answers (no user_id: the caller owns everything it sees), derived from the schema's rows. */
export type AccountDto = Pick<Account, 'id' | 'name' | 'currency' | 'openingBalance' | 'createdAt' | 'updatedAt'>
/** `path`: names from the root category down to this one (["Food", "Restaurants"]), shown "Food › Restaurants". */
export type CategoryDto = Pick<Category, 'id' | 'name' | 'kind' | 'parentId' | 'createdAt' | 'updatedAt'> & { parentName: string | null, path: string[] }
export type TransactionDto = Pick<Transaction, 'id' | 'accountId' | 'categoryId' | 'amount' | 'date' | 'description' | 'notes' | 'tags' | 'createdAt' | 'updatedAt'>
  & { accountName: string, currency: string, categoryName: string | null, categoryPath: string[] | null }
/** A user without a preferences row gets the defaults, with no update time. */
export type PreferencesDto = Pick<Preference, 'locale' | 'defaultCurrency'> & { locale: typeof LOCALES[number], theme: Preference['theme'], updatedAt: string | null }
export interface AccountBalanceDto { id: number, name: string, currency: string, openingBalance: string, balance: string, transactionCount: number }
