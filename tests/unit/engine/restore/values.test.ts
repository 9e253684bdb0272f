// The per-column value checks: exactly what MySQL will store as written, nothing else.
import { describe, expect, it } from 'vitest'
import { valueChecker } from '../../../../server/engine/restore/values'
import { USER_DATA_TABLES } from '../../../../server/db/registry'

const col = (name: string, table = 'transactions') => {
  const c = USER_DATA_TABLES.find(t => t.name === table)?.columns.find(x => x.name === name)
  if (!c) throw new Error(`no column ${table}.${name}`)
  return c
}

describe('value checks', () => {
  it('accepts exact MySQL values and refuses the rest', () => {
    const amount = valueChecker(col('amount'))
    expect(['0.10', '-1234567890.12', '5', '999999999999.99'].map(amount)).toEqual([true, true, true, true])
    expect(['1.234', '1e5', ' 1.00', '9999999999999.00', 1.5, null].map(amount)).toEqual([false, false, false, false, false, false])
    const date = valueChecker(col('date'))
    expect(['2024-02-29', '2023-02-29', '2024-13-01', '24-01-01'].map(date)).toEqual([true, false, false, false])
    const notes = valueChecker(col('notes'))
    expect([null, '', 'x'.repeat(65535), 'x'.repeat(65536)].map(notes)).toEqual([true, true, true, false])
    const desc = valueChecker(col('description'))
    expect(['🎉'.repeat(255), '🎉'.repeat(256)].map(desc)).toEqual([true, false])
    const kind = valueChecker(col('kind', 'categories'))
    expect(['income', 'expense', 'other'].map(kind)).toEqual([true, true, false])
  })

  it('ids are positive safe integers; NULL only where the column allows it', () => {
    const id = valueChecker(col('id'))
    expect([1, 42, 0, -1, 1.5, '1', null].map(id)).toEqual([true, true, false, false, false, false, false])
    const category = valueChecker(col('category_id'))
    expect([null, 7].map(category)).toEqual([true, true])
    const tags = valueChecker(col('tags'))
    expect([[], ['a'], {}, null].map(tags)).toEqual([true, true, true, false])
  })

  it('refuses ill-formed Unicode (it would be stored as U+FFFD), in strings, text and JSON; emoji pass', () => {
    expect(['ok 🎉', 'lone \ud800', 'lone \udfff x'].map(valueChecker(col('description')))).toEqual([true, false, false])
    expect(['ok 🎉', 'x\ud83d'].map(valueChecker(col('notes')))).toEqual([true, false])
    expect([['🎉'], ['a\ud800'], { k: '\udc00' }, { '\ud800': 1 }, ['\\ud800 typed as text']].map(valueChecker(col('tags')))).toEqual([true, false, false, false, true])
  })
})
