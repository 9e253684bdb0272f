import type { Readable } from 'node:stream'
import { createDecompressor, sniffContainer, zstdSupported, type Container } from '../compression'
import { BackupInvalidError } from '../errors'

/**
 * A backup's decompressed bytes, whichever container it is in (format 1 gzip, format 2 zstd,
 * recognised by their magic numbers; anything else is `not_gzip`, the reason's historic name for
 * "not a compressed backup"). Errors are mapped to reasons: a stream that ends early is
 * `truncated`, bytes after the end of the compressed stream are `malformed`.
 *
 * zstd: Node's decompressor stops at the end of the first frame and ignores what follows (bytes
 * it is given later raise an error only sometimes), so bytes after the frame are detected by
 * comparing what the decompressor consumed with what the file holds.
 */
export interface Decompressed {
  container: Container
  /** The decompressed bytes (iterate once). */
  chunks: AsyncIterable<Buffer>
  /** After `chunks` ended: throws unless the decompressor consumed the whole file. */
  finish(): Promise<void>
  /** Releases both streams (always call it). */
  close(): Promise<void>
}

/** The reason for a decompressor's error (a BackupInvalidError passes unchanged). */
export function decompressionError(err: Error & { code?: string }, container: Container): BackupInvalidError {
  if (err instanceof BackupInvalidError) return err
  if (err.code === 'Z_BUF_ERROR' || /unexpected end/i.test(err.message)) return new BackupInvalidError('truncated', 'compressed stream ends early')
  // gzip: a bad header after a first member means bytes were appended after the stream.
  if (container === 'gzip' && err.code === 'Z_DATA_ERROR' && /header|compression method/i.test(err.message)) return new BackupInvalidError('malformed', 'data after the end of the compressed stream')
  if (container === 'zstd' && /frame descriptor/i.test(err.message)) return new BackupInvalidError('malformed', 'data after the end of the compressed stream')
  return new BackupInvalidError('malformed', `${container}: ${err.message}`)
}

export async function openDecompressed(compressed: Readable): Promise<Decompressed> {
  const source = compressed[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  let head = Buffer.alloc(0)
  // The magic number (at most 4 bytes) may straddle chunks.
  while (head.length < 4) {
    const next = await source.next()
    if (next.done) break
    head = Buffer.concat([head, next.value])
  }
  if (!head.length) throw new BackupInvalidError('truncated', 'empty file')
  const container = sniffContainer(head)
  if (!container) throw new BackupInvalidError('not_gzip', 'neither gzip nor zstd')
  if (container === 'zstd' && !zstdSupported()) throw new BackupInvalidError('unsupported_format', 'zstd-compressed (format 2), and this server\'s Node has no working zstd')

  const decompressor = createDecompressor(container)
  let fed = 0
  let trailing = false
  let late: Error | undefined
  // Errors the decompressor raises after its end (bytes after a zstd frame) must not go unheard.
  decompressor.on('error', (err) => { late ??= err })
  const settled = () => new Promise<void>((resolve) => {
    const done = () => {
      for (const e of ['drain', 'close', 'end']) decompressor.off(e, done)
      resolve()
    }
    for (const e of ['drain', 'close', 'end']) decompressor.on(e, done)
  })
  // Feeds the file to the decompressor with backpressure, counting what it was given.
  const feed = (async () => {
    let chunk: Buffer = head
    for (;;) {
      // (A for-await over the decompressor destroys it once it ended: check the end first.)
      if (decompressor.readableEnded) {
        if (chunk.length) trailing = true
        return
      }
      if (decompressor.destroyed) return
      fed += chunk.length
      if (!decompressor.write(chunk) && !decompressor.readableEnded) await settled()
      const next = await source.next()
      if (next.done) {
        if (!decompressor.destroyed) decompressor.end()
        return
      }
      chunk = next.value
    }
  })().catch((err: Error) => { decompressor.destroy(err) })
  return {
    container,
    chunks: decompressor as AsyncIterable<Buffer>,
    async finish() {
      await feed
      if (late) throw decompressionError(late, container)
      if (trailing || fed !== decompressor.bytesWritten) throw new BackupInvalidError('malformed', 'data after the end of the compressed stream')
    },
    async close() {
      decompressor.destroy()
      compressed.destroy()
      await feed
    },
  }
}
