import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONTINUES_RUN, EditFiles } from '../../../../server/engine/restore/edit-files'
import { SpoolReader } from '../../../../server/engine/restore/spool-format'

let dir: string
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'cofre-edits-test-')) })
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

async function lines(path: string) {
  const r = new SpoolReader(path)
  const out: [number, string][] = []
  for (let row = await r.next(); row !== undefined; row = await r.next()) out.push([row.pk, row.json])
  await r.close()
  return out
}

describe('EditFiles', () => {
  it('marks a key to delete that follows the previous one with no database row kept between them (a run the apply may delete as a span)', async () => {
    for (const inPlace of [true, false]) {
      const e = new EditFiles(dir, `runs-${inPlace}`, inPlace)
      await e.write([
        { op: 'delete', pk: 1 }, { op: 'delete', pk: 2 }, // a run
        { op: 'same', pk: 3 }, // kept: ends it
        { op: 'delete', pk: 4 },
        { op: 'insert', pk: 5, json: '[5]' }, // only in the file: not in the database while deleting
        { op: 'delete', pk: 6 },
        { op: 'change', pk: 7, json: '[7]' }, // kept when updated in place; deleted (run goes on) otherwise
        { op: 'delete', pk: 8 },
      ])
      await e.write([{ op: 'delete', pk: 9 }]) // a run goes on across batches
      const c = await e.end()
      const R = CONTINUES_RUN
      expect(await lines(c.deletePath)).toEqual(inPlace
        ? [[1, ''], [2, R], [4, ''], [6, R], [8, ''], [9, R]]
        : [[1, ''], [2, R], [4, ''], [6, R], [7, R], [8, R], [9, R]])
      expect(c).toMatchObject(inPlace ? { toDelete: 6, toUpdate: 1, toInsert: 1, unchanged: 1 } : { toDelete: 7, toUpdate: 0, toInsert: 2, unchanged: 1 })
    }
  })
})
