import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { readArchive } from '../../../server/engine/restore/archive-reader'
import { validatedRows } from '../../../server/engine/restore/validator'
import { valueChecker } from '../../../server/engine/restore/values'
import { upgrade } from '../../../server/engine/restore/upgrades'
import { USER_DATA_TABLES } from '../../../server/db/registry'
import { BackupInvalidError } from '../../../server/engine/errors'
import { SCHEMA_VERSION } from '../../../server/engine/format'

const golden = fileURLToPath(new URL('../../fixtures/backup-v1-golden.jsonl.gz', import.meta.url))
const v0 = fileURLToPath(new URL('../../fixtures/backup-v0-renamed-field.jsonl.gz', import.meta.url))

async function validate(stream: Readable, userId = 9_000_001, max = 1 << 20) {
  const items = []
  for await (const item of validatedRows(readArchive(stream, { maxUncompressedBytes: max }), { userId, tables: USER_DATA_TABLES })) items.push(item)
  return items
}
async function reason(p: Promise<unknown>) {
  try { await p }
  catch (e) { return e instanceof BackupInvalidError ? e.reason : `unexpected: ${String(e)}` }
  return 'accepted'
}

describe('reading committed backups without any service', () => {
  it('reads the format-1 golden file to its trailer', async () => {
    const items = await validate(createReadStream(golden))
    expect(items.at(-1)).toEqual({ kind: 'end', rowCounts: { accounts: 2, categories: 3, transactions: 3, preferences: 1 } })
  })
  it('upgrades the schema-0 file on the fly', async () => {
    const items = await validate(createReadStream(v0))
    const header = items[0] as { kind: 'header', tables: { columns: string[] }[] }
    expect(header.tables[0]!.columns).toContain('opening_balance')
    expect(items.filter(i => i.kind === 'row')).toHaveLength(9)
  })
  it('refuses another owner, a decompression bomb and a stream that is not gzip', async () => {
    expect(await reason(validate(createReadStream(golden), 42))).toBe('owner_mismatch')
    expect(await reason(validate(Readable.from([gzipSync(Buffer.alloc(4 << 20))]), 1, 1 << 20))).toBe('too_large')
    expect(await reason(validate(Readable.from([Buffer.from('hello')])))).toBe('not_gzip')
    const goldenBytes = (await import('node:fs')).readFileSync(golden)
    expect(await reason(validate(Readable.from([Buffer.concat([goldenBytes, Buffer.from('appended')])])))).toBe('malformed')
    expect(await reason(validate(Readable.from([gzipSync(Buffer.from('{"a":1}\n'))])))).toBe('unsupported_format')
    expect(await reason(validate(Readable.from([gzipSync(Buffer.from('not json\n'))])))).toBe('malformed')
    expect(await reason(validate(Readable.from([gzipSync(Buffer.from('{"type":"header"'))])))).toBe('truncated')
  })
})

describe('value checks', () => {
  const col = (name: string, table = 'transactions') => USER_DATA_TABLES.find(t => t.name === table)!.columns.find(c => c.name === name)!
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
})

describe('upgrades', () => {
  it('chains every step up to the current schema version and refuses versions with no path', () => {
    const h = { type: 'header', format: 'cofre-backup', version: 1, schemaVersion: 0, createdAt: '', userId: 1, backupId: '', app: { name: '', version: '' }, tables: [{ name: 'accounts', primaryKey: 'id', columns: [{ name: 'opening', type: 'decimal', nullable: false }] }] } as const
    const up = upgrade(structuredClone(h) as never, SCHEMA_VERSION)
    expect(up?.header.schemaVersion).toBe(SCHEMA_VERSION)
    expect(up?.header.tables[0]!.columns[0]!.name).toBe('opening_balance')
    expect(upgrade({ ...structuredClone(h), schemaVersion: -5 } as never, SCHEMA_VERSION)).toBeNull()
  })
})
