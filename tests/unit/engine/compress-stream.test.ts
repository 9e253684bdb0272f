// compressStream: one compressed stream whatever the timing. Node's zstd writes a second, empty
// frame when a write is still queued as the stream ends, and the restore accepts one frame.
import { createZstdDecompress, gunzipSync, zstdDecompressSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { compressStream } from '../../../server/engine/compression'

async function collect(r: AsyncIterable<Buffer>) { const out: Buffer[] = []; for await (const c of r) out.push(c); return Buffer.concat(out) }
/** Frames in a zstd file: Node's decompressor stops at the end of the first one. */
async function zstdFrames(file: Buffer) {
  const d = createZstdDecompress()
  d.on('error', () => {})
  d.end(file)
  for await (const _ of d) { /* drain */ }
  return d.bytesWritten === file.length ? 1 : 2
}
async function* chunks(n: number, size: number) { for (let k = 0; k < n; k++) yield Buffer.from(`${k} ${'x'.repeat(size)}\n`) }

describe('compressStream', () => {
  it('writes one zstd frame, for short and long sources alike, holding every byte', async () => {
    for (const [n, size] of [[1, 10], [5, 1000], [200, 300 * 1024]] as const) {
      const file = await collect(compressStream(chunks(n, size), 'zstd'))
      expect(await zstdFrames(file), `${n} chunks`).toBe(1)
      expect(zstdDecompressSync(file).equals(await collect(chunks(n, size)))).toBe(true)
    }
  })

  it('writes gzip too, and fails with its source', async () => {
    expect(gunzipSync(await collect(compressStream(chunks(3, 10), 'gzip'))).toString()).toBe('0 xxxxxxxxxx\n1 xxxxxxxxxx\n2 xxxxxxxxxx\n')
    async function* failing() { yield Buffer.from('a'); throw new Error('database gone') }
    await expect(collect(compressStream(failing(), 'zstd'))).rejects.toThrow('database gone')
  })
})
