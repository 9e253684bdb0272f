import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LineWriter, SpoolReader, spoolLine } from '../../../../server/engine/restore/spool-format'

let dir: string
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'cofre-spool-test-')) })
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

describe('spool format', () => {
  it('round-trips keys and JSON rows, Unicode and escaped newlines included, across buffer boundaries', async () => {
    const path = join(dir, 'rows.jsonl')
    const w = new LineWriter(path)
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ pk: i + 1, json: JSON.stringify([i + 1, `linha\n${i} — ção 🎉`.repeat(1 + (i % 5)), null, { tags: ['ü'] }]) }))
    for (const r of rows) {
      const wait = w.write(spoolLine(r.pk, r.json))
      if (wait) await wait
    }
    await w.end()
    const r = new SpoolReader(path)
    const back = []
    for (let row = await r.next(); row !== undefined; row = await r.next()) back.push(row)
    await r.close()
    expect(back).toEqual(rows)
  })

  it('creates files readable by their owner only', async () => {
    const path = join(dir, 'private.jsonl')
    const w = new LineWriter(path)
    w.write(spoolLine(1, '[1]'))
    await w.end()
    expect((await stat(path)).mode & 0o777).toBe(0o600)
  })

  it('refuses a file whose last line has no end (a cut spool is never half-read)', async () => {
    const path = join(dir, 'cut.jsonl')
    const w = new LineWriter(path)
    w.write('1\t[1]\n2\t[2')
    await w.end()
    const r = new SpoolReader(path)
    await expect(async () => { for (let row = await r.next(); row !== undefined; row = await r.next()); }).rejects.toThrow(/no end/)
  })
})
