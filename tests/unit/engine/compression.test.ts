// zstd is experimental in Node 24's node:zlib: compression.ts probes it once and the format falls
// back to gzip (format 1) without it. Both sides of that probe, and the container sniffing.
import * as zlib from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { probeZstd, sniffContainer, zstdSupported } from '../../../server/engine/compression'
import { CONTAINER_OF, FILE_EXTENSIONS, FORMAT_VERSION, LATEST_FORMAT_VERSION } from '../../../server/engine/format'

describe('zstd probe', () => {
  it('passes on the pinned Node, so new backups are format 2 (zstd)', () => {
    expect(probeZstd()).toBe(true)
    expect(zstdSupported()).toBe(true)
    expect(FORMAT_VERSION).toBe(LATEST_FORMAT_VERSION)
    expect(CONTAINER_OF[FORMAT_VERSION]).toBe('zstd')
    expect(FILE_EXTENSIONS[FORMAT_VERSION]).toBe('jsonl.zst')
  })

  it('fails, and does not throw, when zstd is missing or broken', () => {
    expect(probeZstd({})).toBe(false)
    const { createZstdCompress: _missing, ...withoutStream } = zlib
    expect(probeZstd(withoutStream)).toBe(false)
    expect(probeZstd({ ...zlib, zstdCompressSync: () => { throw new Error('experimental feature removed') } })).toBe(false)
    // A round trip that does not give back its input (a broken binding) is no zstd either.
    expect(probeZstd({ ...zlib, zstdDecompressSync: () => Buffer.from('other') })).toBe(false)
  })
})

describe('sniffContainer', () => {
  it('tells gzip from zstd by their magic numbers, and anything else from both', () => {
    expect(sniffContainer(zlib.gzipSync(Buffer.from('x')))).toBe('gzip')
    expect(sniffContainer(zlib.zstdCompressSync(Buffer.from('x')))).toBe('zstd')
    expect(sniffContainer(Buffer.from('{"type":"header"}'))).toBeUndefined()
    expect(sniffContainer(Buffer.from([0x28, 0xB5, 0x2F]))).toBeUndefined()
    expect(sniffContainer(Buffer.alloc(0))).toBeUndefined()
  })
})
