// Every text field refuses ill-formed UTF-16 (a lone surrogate) with the same message, through the
// one shared refinement: no field stores U+FFFD in its place or reaches MySQL with it.
import { describe, expect, it } from 'vitest'
import { loginSchema, refreshSchema, registerSchema } from '../../../shared/schemas/auth'
import { restoreSchema } from '../../../shared/schemas/backups'
import {
  accountCreateSchema, accountUpdateSchema, categoryCreateSchema, categoryUpdateSchema, idParams, preferencesUpdateSchema,
  transactionCreateSchema, transactionListQuery, transactionUpdateSchema,
} from '../../../shared/schemas/ledger'
import { isWellFormedText } from '../../../shared/schemas/text'

const LONE = ['\uD800', '\uDFFF', 'a\uD83Db', 'x\uDE00', '\uDE00\uD83D']
const fieldsOf = (r: { error?: { issues: { message: string, path: PropertyKey[] }[] } }) => {
  const out: Record<string, string> = {}
  for (const i of r.error?.issues ?? []) out[i.path.join('.') || '_'] ??= i.message
  return out
}

describe('isWellFormedText', () => {
  it.each(LONE)('refuses a lone surrogate (%#)', s => expect(isWellFormedText(s)).toBe(false))
  it.each(['', 'Café ☕', 'Salário 🎉', '👨‍👩‍👧', '\uD83D\uDE00'])('accepts %j', s => expect(isWellFormedText(s)).toBe(true))
})

const tx = { accountId: 1, amount: '1.00', date: '2024-01-01', description: 'ok' }
// [schema, valid input, field to break, how to put the bad string in]
const cases: [string, { safeParse: (v: unknown) => any }, Record<string, unknown>, string, (bad: string) => unknown][] = [
  ['register.email', registerSchema, { email: 'a@b.co', name: 'A', password: 'long enough pw' }, 'email', b => `a${b}@b.co`],
  ['register.name', registerSchema, { email: 'a@b.co', name: 'A', password: 'long enough pw' }, 'name', b => `Ana ${b}`],
  ['register.password', registerSchema, { email: 'a@b.co', name: 'A', password: 'long enough pw' }, 'password', b => `long enough ${b}`],
  ['login.password', loginSchema, { email: 'a@b.co', password: 'x' }, 'password', b => `pw${b}`],
  ['refresh.refreshToken', refreshSchema, { refreshToken: 'x'.repeat(40) }, 'refreshToken', b => `${'x'.repeat(40)}${b}`],
  ['restore.backup_id', restoreSchema, { backup_id: '00000000-0000-4000-8000-000000000000' }, 'backup_id', b => `00000000-0000-4000-8000-00000000000${b}`],
  ['account.name', accountCreateSchema, { name: 'A', currency: 'BRL' }, 'name', b => `Conta ${b}`],
  ['account.currency', accountCreateSchema, { name: 'A', currency: 'BRL' }, 'currency', b => `BR${b}`],
  ['account.openingBalance', accountCreateSchema, { name: 'A', currency: 'BRL' }, 'openingBalance', b => `1${b}`],
  ['account(update).name', accountUpdateSchema, {}, 'name', b => b],
  ['category.name', categoryCreateSchema, { name: 'A', kind: 'income' }, 'name', b => `Cat ${b}`],
  ['category(update).name', categoryUpdateSchema, {}, 'name', b => b],
  ['transaction.description', transactionCreateSchema, tx, 'description', b => `Café ${b}`],
  ['transaction.notes', transactionCreateSchema, tx, 'notes', b => `note ${b}`],
  ['transaction.amount', transactionCreateSchema, tx, 'amount', b => `1.0${b}`],
  ['transaction.date', transactionCreateSchema, tx, 'date', b => `2024-01-0${b}`],
  ['transaction.tags', transactionCreateSchema, tx, 'tags.1', b => ['ok', `tag${b}`]],
  ['transaction(update).description', transactionUpdateSchema, {}, 'description', b => b],
  ['transaction(update).tags', transactionUpdateSchema, {}, 'tags.0', b => [b]],
  ['preferences.defaultCurrency', preferencesUpdateSchema, {}, 'defaultCurrency', b => `US${b}`],
  ['query.from', transactionListQuery, {}, 'from', b => `2024-01-0${b}`],
  ['params.id', idParams, { id: '1' }, 'id', b => `1${b}`],
]

describe('every text field refuses ill-formed Unicode with the same message', () => {
  it.each(cases)('%s', (_name, schema, valid, field, put) => {
    expect(schema.safeParse(valid).success).toBe(true)
    for (const bad of LONE) {
      const key = field.split('.')[0]!
      const r = schema.safeParse({ ...valid, [key]: put(bad) })
      expect(r.success).toBe(false)
      expect(fieldsOf(r)).toEqual({ [field]: 'validation.unicode' })
    }
  })

  it('still accepts astral characters and emoji everywhere', () => {
    expect(transactionCreateSchema.safeParse({ ...tx, description: 'Salário 🎉', notes: '𝄞', tags: ['👨‍👩‍👧'] }).success).toBe(true)
    expect(registerSchema.safeParse({ email: 'a@b.co', name: 'José 😀', password: '🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑' }).success).toBe(true)
  })
})
