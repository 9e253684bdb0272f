import type { Readable, Transform } from 'node:stream'
import * as zlib from 'node:zlib'

/**
 * The backup files' compressors, and the one place that touches zstd. Format 1 is gzip; format 2
 * is zstd, which Node 24 ships in `node:zlib` as an experimental API (docs/backup-format.md). It
 * is contained here: `zstdSupported()` probes it once (the functions exist AND a round trip gives
 * back its input); without it new backups are written as format 1 (gzip, which every reader has)
 * and a format-2 file is refused as `unsupported_format` with that reason, never a crash.
 */
export type Container = 'gzip' | 'zstd'

/** What the probe needs of `node:zlib` (injectable, so the fallback is testable). */
export type ZlibLike = Partial<Pick<typeof zlib, 'createZstdCompress' | 'createZstdDecompress' | 'zstdCompressSync' | 'zstdDecompressSync' | 'constants'>>

export function probeZstd(z: ZlibLike = zlib): boolean {
  try {
    if (typeof z.createZstdCompress !== 'function' || typeof z.createZstdDecompress !== 'function') return false
    if (typeof z.zstdCompressSync !== 'function' || typeof z.zstdDecompressSync !== 'function') return false
    if (z.constants?.ZSTD_c_checksumFlag === undefined) return false
    const probe = Buffer.from('{"probe":"cofre"}\n')
    return z.zstdDecompressSync(z.zstdCompressSync(probe)).equals(probe)
  }
  catch { return false }
}

let supported: boolean | undefined
/** Whether this Node's zstd works (probed once per process). */
export function zstdSupported(): boolean {
  supported ??= probeZstd()
  return supported
}

/** gzip level 1 (the reference's `gzip -1`); zstd level 1 is both faster and smaller. */
export function createCompressor(container: Container, o: { level?: number } = {}): Transform {
  if (container === 'gzip') return zlib.createGzip({ level: o.level ?? 1, chunkSize: 64 * 1024 })
  return zlib.createZstdCompress({
    chunkSize: 64 * 1024,
    params: {
      [zlib.constants.ZSTD_c_compressionLevel]: o.level ?? 1,
      // A checksum of the content in the frame: `zstd -t` checks a file on its own, and a
      // damaged block is refused by the decompressor itself.
      [zlib.constants.ZSTD_c_checksumFlag]: 1,
    },
  })
}

/** A decompressor, with the count of compressed bytes it consumed (zlib's bytesWritten). */
export type Decompressor = Transform & { readonly bytesWritten: number }

/** Resolves on 'drain', or on 'close' (a consumer that gives up destroys the stream); leaves no listener behind. */
function drained(stream: Transform): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done)
      stream.off('close', done)
      resolve()
    }
    stream.on('drain', done)
    stream.on('close', done)
  })
}

/**
 * `source` compressed as one stream (one gzip member, one zstd frame), with backpressure; an
 * error of `source` destroys the result with it.
 *
 * Not compose()/pipe(): Node's zstd (v24) compresses a write that is still queued when end() is
 * called with ZSTD_e_end, then flushes with ZSTD_e_end again, which writes a second, empty frame
 * (every time for a short source, by timing for a long one). So end() is called only once the
 * last write was compressed; the compressor works on one chunk while the next is produced.
 */
export function compressStream(source: AsyncIterable<Buffer>, container: Container, o: { level?: number } = {}): Readable {
  const compressor = createCompressor(container, o)
  void (async () => {
    try {
      let written: Promise<void> = Promise.resolve()
      for await (const chunk of source) {
        if (compressor.destroyed) return
        written = new Promise<void>(resolve => compressor.write(chunk, () => resolve()))
        if (compressor.writableNeedDrain) await drained(compressor)
      }
      await written
      compressor.end()
    }
    catch (err) { compressor.destroy(err as Error) }
  })()
  return compressor
}

export function createDecompressor(container: Container): Decompressor {
  return container === 'gzip' ? zlib.createGunzip({ chunkSize: 256 * 1024 }) : zlib.createZstdDecompress({ chunkSize: 256 * 1024 })
}

/** Which container `head` (the first bytes of a file) starts with: the formats' magic numbers. */
export function sniffContainer(head: Buffer): Container | undefined {
  if (head.length >= 2 && head[0] === 0x1F && head[1] === 0x8B) return 'gzip'
  if (head.length >= 4 && head.readUInt32LE(0) === 0xFD2FB528) return 'zstd'
  return undefined
}
