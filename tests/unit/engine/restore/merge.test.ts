import { describe, expect, it } from 'vitest'
import { arrayCursor, mergeSorted, type Edit, type RowCursor } from '../../../../server/engine/restore/merge'

// Database rows are [pk, value]; their comparison form is JSON.stringify of the row.
const shape = { pk: (r: unknown[]) => r[0] as number, json: (r: unknown[]) => JSON.stringify(r) }
const fileRow = (pk: number, v: string) => ({ pk, json: JSON.stringify([pk, v]) })
async function* batches(rows: unknown[][], size: number) {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size)
}
async function edits(db: unknown[][], file: RowCursor, size = 2) {
  const out: Edit[] = []
  for await (const batch of mergeSorted(batches(db, size), file, shape)) out.push(...batch)
  return out
}

/** A cursor that needs a fill() before every row, as a spool read in tiny pieces would. */
function starvedCursor(rows: ReturnType<typeof fileRow>[]): RowCursor {
  let i = 0
  let ready = false
  return {
    take: () => {
      if (i >= rows.length) return undefined
      if (!ready) return null
      ready = false
      return rows[i++]
    },
    fill: async () => { ready = true },
  }
}

describe('mergeSorted', () => {
  it('yields same / change / delete / insert for two ordered streams', async () => {
    const db = [[1, 'a'], [2, 'b'], [4, 'd'], [6, 'f']]
    const file = [fileRow(1, 'a'), fileRow(2, 'B'), fileRow(3, 'c'), fileRow(6, 'f'), fileRow(7, 'g')]
    expect(await edits(db, arrayCursor(file))).toEqual([
      { op: 'same', pk: 1 },
      { op: 'change', pk: 2, json: '[2,"B"]' },
      { op: 'insert', pk: 3, json: '[3,"c"]' },
      { op: 'delete', pk: 4 },
      { op: 'same', pk: 6 },
      { op: 'insert', pk: 7, json: '[7,"g"]' },
    ])
  })

  it('handles an empty side: all inserts, or all deletes', async () => {
    expect(await edits([], arrayCursor([fileRow(5, 'x'), fileRow(9, 'y')]))).toEqual([
      { op: 'insert', pk: 5, json: '[5,"x"]' }, { op: 'insert', pk: 9, json: '[9,"y"]' },
    ])
    expect(await edits([[1, 'a'], [2, 'b']], arrayCursor([]))).toEqual([{ op: 'delete', pk: 1 }, { op: 'delete', pk: 2 }])
    expect(await edits([], arrayCursor([]))).toEqual([])
  })

  it('gives the same edits whatever the batch sizes and however the file is buffered', async () => {
    const db = Array.from({ length: 50 }, (_, i) => [i * 3, `v${i % 7}`])
    const file = Array.from({ length: 60 }, (_, i) => fileRow(i * 2, `v${i % 5}`))
    const expected = await edits(db, arrayCursor(file), 1000)
    for (const size of [1, 2, 7, 50]) {
      expect(await edits(db, arrayCursor(file), size)).toEqual(expected)
      expect(await edits(db, starvedCursor(file), size)).toEqual(expected)
    }
    // Every key of both sides appears exactly once.
    const keys = expected.map(e => e.pk)
    expect(new Set(keys).size).toBe(keys.length)
    expect(new Set(keys)).toEqual(new Set([...db.map(r => r[0]), ...file.map(f => f.pk)]))
  })

  it('serializes a database row only when the file has its key', async () => {
    let serialized = 0
    const counting = { pk: shape.pk, json: (r: unknown[]) => { serialized++; return JSON.stringify(r) } }
    const out: Edit[] = []
    for await (const b of mergeSorted(batches([[1, 'a'], [2, 'b'], [3, 'c']], 2), arrayCursor([fileRow(2, 'b')]), counting)) out.push(...b)
    expect(serialized).toBe(1)
    expect(out.map(e => e.op)).toEqual(['delete', 'same', 'delete'])
  })
})

describe('mergeSorted memory', () => {
  it('never yields more than a bounded number of edits at once, even when every file key precedes the database keys', async () => {
    const file = Array.from({ length: 20_000 }, (_, i) => fileRow(i + 1, 'x'))
    const db = [[1_000_000, 'z']]
    let largest = 0
    let total = 0
    for await (const b of mergeSorted(batches(db, 2048), arrayCursor(file), shape)) {
      largest = Math.max(largest, b.length)
      total += b.length
    }
    expect(total).toBe(20_001)
    expect(largest).toBeLessThanOrEqual(4096)
  })
})
