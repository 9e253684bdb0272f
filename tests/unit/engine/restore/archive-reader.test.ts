// The archive reader alone: gzip with a cap, JSON lines, the trailer and its digest.
import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { readArchive } from '../../../../server/engine/restore/archive-reader'
import { BackupInvalidError } from '../../../../server/engine/errors'

const golden = readFileSync(fileURLToPath(new URL('../../../fixtures/backup-v1-golden.jsonl.gz', import.meta.url)))

async function read(bytes: Buffer, max = 1 << 20) {
  const lines = []
  for await (const l of readArchive(Readable.from([bytes]), { maxUncompressedBytes: max })) lines.push(l)
  return lines
}
async function reason(p: Promise<unknown>) {
  try { await p }
  catch (e) { return e instanceof BackupInvalidError ? e.reason : `unexpected: ${String(e)}` }
  return 'accepted'
}

describe('readArchive', () => {
  it('yields every record in order and the trailer with the digest of what precedes it', async () => {
    const lines = await read(golden)
    expect(lines[0]).toMatchObject({ kind: 'record', line: 1, value: { type: 'header' } })
    const trailer = lines.at(-1)!
    expect(trailer.kind).toBe('trailer')
    expect(trailer.kind === 'trailer' && trailer.digestOfPreceding).toBe((trailer.value as Record<string, unknown>).digest)
    expect(lines.filter(l => l.kind === 'record')).toHaveLength(lines.length - 1)
  })

  it('refuses a decompression bomb, a stream that is not gzip, appended bytes, broken JSON and a cut stream', async () => {
    expect(await reason(read(gzipSync(Buffer.alloc(4 << 20)), 1 << 20))).toBe('too_large')
    expect(await reason(read(Buffer.from('hello')))).toBe('not_gzip')
    expect(await reason(read(Buffer.concat([golden, Buffer.from('appended')])))).toBe('malformed')
    expect(await reason(read(gzipSync(Buffer.from('not json\n'))))).toBe('malformed')
    expect(await reason(read(gzipSync(Buffer.from('{"type":"header"'))))).toBe('truncated')
    expect(await reason(read(golden.subarray(0, golden.length - 12)))).toBe('truncated')
  })
})
