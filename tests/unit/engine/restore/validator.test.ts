// The validator alone, on real files edited by a careful forger (digest and counts recomputed):
// every refusal reason it owns, and the rows it yields for a good file.
import { createReadStream, readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { createHash } from 'node:crypto'
import { gunzipSync, zstdDecompressSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { readArchive } from '../../../../server/engine/restore/archive-reader'
import { validatedRows } from '../../../../server/engine/restore/validator'
import { USER_DATA_TABLES } from '../../../../server/db/registry'
import { BackupInvalidError } from '../../../../server/engine/errors'
import { compress, serialize } from '../../../support/mutate'

const goldenPath = fileURLToPath(new URL('../../../fixtures/backup-v1-golden.jsonl.gz', import.meta.url))
const v0 = fileURLToPath(new URL('../../../fixtures/backup-v0-renamed-field.jsonl.gz', import.meta.url))
const OWNER = 9_000_001
const goldenLines = () => gunzipSync(readFileSync(goldenPath)).toString('utf8').trimEnd().split('\n').map(l => JSON.parse(l))

async function validate(stream: Readable, userId = OWNER) {
  const items = []
  for await (const item of validatedRows(readArchive(stream, { maxUncompressedBytes: 1 << 20 }), { userId, tables: USER_DATA_TABLES })) items.push(item)
  return items
}
async function reason(p: Promise<unknown>) {
  try { await p }
  catch (e) { return e instanceof BackupInvalidError ? e.reason : `unexpected: ${String(e)}` }
  return 'accepted'
}
/** Edits the golden file's lines and re-serializes it with a correct digest (and counts if asked). */
const forged = (edit: (lines: any[]) => void, o: { recount?: boolean } = { recount: true }) => {
  const lines = goldenLines()
  edit(lines)
  return Readable.from([serialize(lines, { recount: o.recount })])
}
const rowsOf = (lines: any[], table: string) => lines.filter(l => l.t === table)

describe('validatedRows', () => {
  it('reads the format-1 golden file: header, every row, then the trailer counts', async () => {
    const items = await validate(createReadStream(goldenPath))
    expect(items[0]?.kind).toBe('header')
    expect(items.filter(i => i.kind === 'row')).toHaveLength(9)
    expect(items.at(-1)).toEqual({ kind: 'end', rowCounts: { accounts: 2, categories: 3, transactions: 3, preferences: 1 } })
  })

  it('upgrades the schema-0 file on the fly', async () => {
    const items = await validate(createReadStream(v0))
    const header = items[0] as { kind: 'header', tables: { columns: string[] }[] }
    expect(header.tables[0]?.columns).toContain('opening_balance')
    expect(items.filter(i => i.kind === 'row')).toHaveLength(9)
  })

  it('refuses another owner and an unknown format', async () => {
    expect(await reason(validate(createReadStream(goldenPath), 42))).toBe('owner_mismatch')
    expect(await reason(validate(forged((l) => { l[0].version = 99 })))).toBe('unsupported_format')
  })

  it('refuses unknown tables and columns, missing columns, bad values', async () => {
    expect(await reason(validate(forged((l) => { rowsOf(l, 'accounts')[0].t = 'secrets' })))).toBe('unknown_table')
    expect(await reason(validate(forged((l) => { l[0].tables[0].columns.push({ name: 'is_admin', type: 'int', nullable: true }) })))).toBe('unknown_column')
    expect(await reason(validate(forged((l) => { for (const r of rowsOf(l, 'transactions')) r.r[3] = '1.234' })))).toBe('bad_value')
  })

  it('refuses duplicate and descending keys, dangling references, wrong counts and an edited digest', async () => {
    expect(await reason(validate(forged((l) => { const [a, b] = rowsOf(l, 'transactions'); b.r[0] = a.r[0] })))).toBe('duplicate_key')
    expect(await reason(validate(forged((l) => { for (const r of rowsOf(l, 'transactions')) r.r[1] = 123456789 })))).toBe('dangling_reference')
    expect(await reason(validate(forged((l) => { l.at(-1).rowCounts.transactions += 1 }, { recount: false })))).toBe('row_count_mismatch')
    const lines = goldenLines()
    rowsOf(lines, 'transactions')[0].r[5] = 'edited'
    expect(await reason(validate(Readable.from([serialize(lines, { recomputeDigest: false })])))).toBe('digest_mismatch')
  })

  describe('format 2 (a table line, then the rows as bare arrays)', () => {
    const v2Lines = () => { const l = goldenLines(); l[0].version = 2; return l }
    /** A format-2 file from its edited lines, with the digest recomputed. */
    const withDigest = (lines: string[]) => {
      const body = lines.slice(0, -1).map(l => `${l}\n`).join('')
      const trailer = JSON.parse(lines.at(-1)!)
      trailer.digest = `sha256:${createHash('sha256').update(body).digest('hex')}`
      return Readable.from([compress(body + JSON.stringify(trailer) + '\n', 2)])
    }
    const encoded = () => { const buf = serialize(v2Lines(), { version: 2 }); return zstdDecompressSync(buf).toString('utf8').trimEnd().split('\n') }

    it('reads the same rows as format 1 holds, and yields each table line', async () => {
      const items = await validate(Readable.from([serialize(v2Lines(), { version: 2 })]))
      expect(items.filter(i => i.kind === 'row').map(i => i.kind === 'row' && i.row)).toEqual(goldenLines().filter(l => l.t).map(l => l.r))
      expect(items.filter(i => i.kind === 'table').map(i => i.kind === 'table' && i.table.spec.name)).toEqual(['accounts', 'categories', 'transactions', 'preferences'])
      expect(items.at(-1)).toEqual({ kind: 'end', rowCounts: { accounts: 2, categories: 3, transactions: 3, preferences: 1 } })
    })

    it('refuses rows without a table line, format-1 rows, and table lines out of order, unknown or with more fields', async () => {
      const lines = encoded()
      expect(lines[1]).toBe('{"t":"accounts"}')
      expect(await reason(validate(withDigest(lines)))).toBe('accepted')
      expect(await reason(validate(withDigest(lines.filter((_, i) => i !== 1))))).toBe('malformed')
      expect(await reason(validate(withDigest(lines.map((l, i) => (i === 2 ? `{"t":"accounts","r":${l}}` : l)))))).toBe('malformed')
      expect(await reason(validate(withDigest(lines.map(l => (l === '{"t":"categories"}' ? '{"t":"accounts"}' : l)))))).toBe('malformed')
      expect(await reason(validate(withDigest(lines.map(l => (l === '{"t":"categories"}' ? '{"t":"secrets"}' : l)))))).toBe('unknown_table')
      expect(await reason(validate(withDigest(lines.map(l => (l === '{"t":"categories"}' ? '{"t":"categories","x":1}' : l)))))).toBe('malformed')
      // A table line repeated after its rows: the table's rows would no longer be contiguous.
      const i = lines.indexOf('{"t":"categories"}')
      expect(await reason(validate(withDigest([...lines.slice(0, i + 2), '{"t":"categories"}', ...lines.slice(i + 2)])))).toBe('malformed')
      // A bare array in a format-1 file.
      const v1 = gunzipSync(serialize(goldenLines(), { version: 1 })).toString('utf8').trimEnd().split('\n')
      const bare = v1.map((l, n) => (n === 1 ? JSON.stringify(JSON.parse(l).r) : l))
      const body = bare.slice(0, -1).map(l => `${l}\n`).join('')
      const trailer = { ...JSON.parse(bare.at(-1)!), digest: `sha256:${createHash('sha256').update(body).digest('hex')}` }
      expect(await reason(validate(Readable.from([compress(body + JSON.stringify(trailer) + '\n', 1)])))).toBe('malformed')
    })

    it('checks values, keys and references as format 1 does', async () => {
      const forged2 = (edit: (lines: any[]) => void) => { const l = v2Lines(); edit(l); return Readable.from([serialize(l, { recount: true, version: 2 })]) }
      expect(await reason(validate(forged2((l) => { for (const r of rowsOf(l, 'transactions')) r.r[3] = '1.234' })))).toBe('bad_value')
      expect(await reason(validate(forged2((l) => { const [a, b] = rowsOf(l, 'transactions'); b.r[0] = a.r[0] })))).toBe('duplicate_key')
      expect(await reason(validate(forged2((l) => { for (const r of rowsOf(l, 'transactions')) r.r[1] = 123456789 })))).toBe('dangling_reference')
      expect(await reason(validate(forged2((l) => { l[0].userId = 42 })))).toBe('owner_mismatch')
      expect(await reason(validate(forged2((l) => { l[0].version = 3 })))).toBe('unsupported_format')
    })
  })

  it('refuses what follows the trailer although it stops reading there: lines, a partial line, bytes after the compressed stream', async () => {
    const text = zstdDecompressSync(serialize(goldenLines().map(l => (l.type === 'header' ? { ...l, version: 2 } : l)), { version: 2 })).toString('utf8')
    const v2 = (t: string) => Readable.from([compress(t, 2)])
    expect(await reason(validate(v2(text)))).toBe('accepted')
    expect(await reason(validate(v2(`${text}[1]\n`)))).toBe('malformed')
    expect(await reason(validate(v2(`${text}[1`)))).toBe('malformed')
    expect(await reason(validate(Readable.from([Buffer.concat([compress(text, 2), Buffer.from([1, 2, 3])])])))).toBe('malformed')
    expect(await reason(validate(Readable.from([compress(text, 2), Buffer.from([0])])))).toBe('malformed')
    const v1 = gunzipSync(readFileSync(goldenPath)).toString('utf8')
    expect(await reason(validate(Readable.from([compress(`${v1}{"t":"accounts"`, 1)])))).toBe('malformed')
  })
})
