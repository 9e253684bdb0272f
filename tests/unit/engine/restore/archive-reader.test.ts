// The archive reader alone: gzip (format 1) or zstd (format 2) with a cap, JSON lines, the
// trailer and its digest.
import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { gunzipSync, gzipSync, zstdCompressSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { readArchive } from '../../../../server/engine/restore/archive-reader'
import { BackupInvalidError } from '../../../../server/engine/errors'

const golden = readFileSync(fileURLToPath(new URL('../../../fixtures/backup-v1-golden.jsonl.gz', import.meta.url)))

async function read(bytes: Buffer | Buffer[], max = 1 << 20) {
  const lines = []
  for await (const l of readArchive(Readable.from(Array.isArray(bytes) ? bytes : [bytes]), { maxUncompressedBytes: max })) lines.push(l)
  return lines
}
/** A format-2 file: the golden's lines with rows as arrays after a table line, zstd-compressed. */
const v1Text = () => gunzipSync(golden).toString('utf8')
function asV2(text: string) {
  const out: string[] = []
  let table: string | undefined
  for (const line of text.trimEnd().split('\n')) {
    const v = JSON.parse(line)
    if (v.type === 'header') out.push(JSON.stringify({ ...v, version: 2 }))
    else if (v.type === 'trailer') out.push(line)
    else {
      if (v.t !== table) out.push(JSON.stringify({ t: v.t }))
      table = v.t
      out.push(JSON.stringify(v.r))
    }
  }
  return `${out.join('\n')}\n`
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

  it('reads a zstd file (format 2): bare arrays as records, the trailer last', async () => {
    const lines = await read(zstdCompressSync(Buffer.from(asV2(v1Text()))))
    expect(lines[0]).toMatchObject({ kind: 'record', value: { type: 'header', version: 2 } })
    expect(lines.filter(l => Array.isArray(l.value))).toHaveLength(9)
    expect(lines.at(-1)?.kind).toBe('trailer')
  })

  it('refuses bytes after the zstd frame (which Node\'s decompressor ignores), in the same chunk or the next', async () => {
    const file = zstdCompressSync(Buffer.from(asV2(v1Text())))
    expect(await reason(read(file))).toBe('accepted')
    expect(await reason(read(Buffer.concat([file, Buffer.from('appended')])))).toBe('malformed')
    expect(await reason(read(Buffer.concat([file, Buffer.from([0])])))).toBe('malformed')
    expect(await reason(read([file, Buffer.from('x')]))).toBe('malformed')
    expect(await reason(read([file, file]))).toBe('malformed')
    expect(await reason(read([file.subarray(0, 3), file.subarray(3)]))).toBe('accepted')
  })

  it('refuses a cut zstd stream, a zstd bomb, and a header whose version names the other container', async () => {
    const file = zstdCompressSync(Buffer.from(asV2(v1Text())))
    expect(await reason(read(file.subarray(0, file.length - 5)))).toBe('truncated')
    expect(await reason(read(file.subarray(0, 3)))).toBe('not_gzip')
    expect(await reason(read(zstdCompressSync(Buffer.alloc(4 << 20)), 1 << 20))).toBe('too_large')
    // A format-1 file recompressed with zstd, a format-2 file with gzip.
    expect(await reason(read(zstdCompressSync(Buffer.from(v1Text()))))).toBe('malformed')
    expect(await reason(read(gzipSync(Buffer.from(asV2(v1Text())))))).toBe('malformed')
  })
})
