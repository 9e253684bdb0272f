// Pass 1's spool keeps a format-2 row's text as the file has it (no second JSON.stringify): the
// spooled text must still be exactly the validated row, however the file formats it.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gunzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { USER_DATA_TABLES } from '../../../../server/db/registry'
import { readArchiveBatches } from '../../../../server/engine/restore/archive-reader'
import { spoolBatches } from '../../../../server/engine/restore/spool'
import { validatedBatches } from '../../../../server/engine/restore/validator'
import { serialize } from '../../../support/mutate'

const OWNER = 9_000_001
const golden = () => gunzipSync(readFileSync(fileURLToPath(new URL('../../../fixtures/backup-v1-golden.jsonl.gz', import.meta.url)))).toString('utf8').trimEnd().split('\n').map(l => JSON.parse(l))
let dir: string
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'cofre-spool-test-')) })
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

async function spooledRows(file: Buffer, sub: string) {
  const spool = await spoolBatches(validatedBatches(readArchiveBatches(Readable.from([file]), { maxUncompressedBytes: 1 << 20 }), { userId: OWNER, tables: USER_DATA_TABLES }), { dir: join(dir, sub) })
  const out: Record<string, { pk: number, json: string }[]> = {}
  for (const t of spool.tables) out[t.spec.name] = (await readFile(t.path, 'utf8')).trimEnd().split('\n').map((l) => { const tab = l.indexOf('\t'); return { pk: Number(l.slice(0, tab)), json: l.slice(tab + 1) } })
  return out
}

describe('spool of a format-2 file', () => {
  it('holds the rows exactly, as the file writes them or formatted by hand', async () => {
    await mkdir(join(dir, 'a'), { recursive: true, mode: 0o700 })
    await mkdir(join(dir, 'b'), { recursive: true, mode: 0o700 })
    const lines = golden()
    lines[0].version = 2
    const canonical = await spooledRows(serialize(lines, { version: 2 }), 'a')
    for (const l of lines.filter(x => x.t)) {
      const row = canonical[l.t]!.find(r => r.pk === l.r[0])!
      expect(row.json).toBe(JSON.stringify(l.r))
    }
    // The same rows with spaces and escaped characters: the same values once parsed.
    const text = zstdDecompressSync(serialize(lines, { version: 2 })).toString('utf8').trimEnd().split('\n')
    const spaced = text.map(l => (l.startsWith('[') ? l.replace(/,/g, ' , ').replace(/é/g, '\\u00e9') : l))
    const body = spaced.slice(0, -1).map(l => `${l}\n`).join('')
    const trailer = { ...JSON.parse(spaced.at(-1)!), digest: `sha256:${createHash('sha256').update(body).digest('hex')}` }
    const handMade = await spooledRows(zstdCompressSync(Buffer.from(body + JSON.stringify(trailer) + '\n')), 'b')
    for (const [table, rows] of Object.entries(canonical)) expect(handMade[table]!.map(r => ({ pk: r.pk, row: JSON.parse(r.json) }))).toEqual(rows.map(r => ({ pk: r.pk, row: JSON.parse(r.json) })))
  })
})
