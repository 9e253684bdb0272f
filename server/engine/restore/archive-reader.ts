import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { BackupInvalidError } from '../errors'
import { CONTAINER_OF } from '../format'
import { decompressionError, openDecompressed, type Decompressed } from './decompress'

/** Longest line accepted: a row is a few hundred bytes; a huge line is an attack, not data. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024

export interface ReadOptions { maxUncompressedBytes: number }

/** A line before the trailer: an object, or (format 2) a row's bare array, with its text. */
export type Line =
  | { kind: 'record', value: Record<string, unknown> | unknown[], line: number, text?: string }
  | { kind: 'trailer', value: Record<string, unknown>, line: number, digestOfPreceding: string }

/**
 * Decompresses a backup (gzip or zstd, decompress.ts; capped at `maxUncompressedBytes`, so a
 * decompression bomb costs bounded memory and time) and yields its JSON lines; the header's
 * format version must match the container (CONTAINER_OF). The trailer line carries the SHA-256
 * of every byte before it; nothing may follow the trailer; a stream that ends without one is
 * `truncated`.
 */
export async function* readArchive(compressed: Readable, o: ReadOptions): AsyncGenerator<Line> {
  for await (const batch of readArchiveBatches(compressed, o)) yield* batch
}

/**
 * readArchive's lines, one array per decompressed chunk (~1,500 lines of 256 KB): a restore
 * passes every line through three stages, and an async generator's yield per line measured
 * ~1.2–1.7 s per million lines across them, against ~0.05 s per array. A problem is thrown only
 * after the lines before it were handed over, so the first problem in file order is reported,
 * whichever stage finds it. The trailer comes alone, last, and only once the file is known to
 * end with it (no line, no byte of the compressed stream, nothing after the stream): consumers
 * stop reading at the trailer, so these checks cannot wait for them.
 */
export async function* readArchiveBatches(compressed: Readable, o: ReadOptions): AsyncGenerator<Line[]> {
  let source: Decompressed | undefined
  const digest = createHash('sha256')
  let total = 0
  let rest: Buffer = Buffer.alloc(0)
  let lineNo = 0
  let trailer: Line | undefined
  try {
    source = await openDecompressed(compressed)
    for await (const chunk of source.chunks) {
      if (trailer && chunk.length) throw new BackupInvalidError('malformed', 'content after the trailer')
      total += chunk.length
      if (total > o.maxUncompressedBytes) throw new BackupInvalidError('too_large', `more than ${o.maxUncompressedBytes} bytes uncompressed`)
      const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk
      // Lines are decoded one by one (a line of ASCII/Latin-1 text stays a one-byte string, which
      // JSON.parse reads faster than a slice of one big decoded chunk) and hashed all at once
      // after they were read: up to the trailer's first byte if the trailer is among them.
      let start = 0
      let hashed = false
      const batch: Line[] = []
      let problem: BackupInvalidError | undefined
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        const lineText = buf.toString('utf8', start, nl)
        const lineStart = start
        start = nl + 1
        lineNo++
        let value: unknown
        try { value = JSON.parse(lineText) }
        catch {
          problem = new BackupInvalidError('malformed', `line ${lineNo} is not JSON`)
          break
        }
        if (!value || typeof value !== 'object') {
          problem = new BackupInvalidError('malformed', `line ${lineNo} is not an object or array`)
          break
        }
        if (Array.isArray(value)) {
          batch.push({ kind: 'record', value, line: lineNo, text: lineText })
          continue
        }
        const rec = value as Record<string, unknown>
        if (lineNo === 1 && (rec.version === 1 || rec.version === 2) && CONTAINER_OF[rec.version] !== source.container) {
          problem = new BackupInvalidError('malformed', `format ${rec.version} is ${CONTAINER_OF[rec.version]}-compressed, this file is ${source.container}`)
          break
        }
        if (rec.type === 'trailer') {
          digest.update(buf.subarray(0, lineStart))
          hashed = true
          trailer = { kind: 'trailer', value: rec, line: lineNo, digestOfPreceding: `sha256:${digest.digest('hex')}` }
          // The trailer is handed on only once the file is known to end with it (below): its
          // consumer stops reading there.
          if (start < buf.length) problem = new BackupInvalidError('malformed', 'content after the trailer')
          break
        }
        else {
          batch.push({ kind: 'record', value: rec, line: lineNo })
        }
      }
      if (batch.length) yield batch
      if (problem) throw problem
      if (!hashed && start) digest.update(buf.subarray(0, start))
      const tail = buf.subarray(start)
      if (tail.length > MAX_LINE_BYTES) throw new BackupInvalidError('too_large', `line ${lineNo + 1} is longer than ${MAX_LINE_BYTES} bytes`)
      rest = Buffer.from(tail)
    }
    // Nothing after the trailer: no more lines, no bytes after the compressed stream.
    if (rest.length) throw new BackupInvalidError(trailer ? 'malformed' : 'truncated', 'the last line has no end')
    if (!trailer) throw new BackupInvalidError('truncated', 'no trailer')
    await source.finish()
  }
  catch (err) {
    if (err instanceof BackupInvalidError) throw err
    throw decompressionError(err as Error, source?.container ?? 'gzip')
  }
  finally {
    if (source) await source.close()
    else compressed.destroy()
  }
  yield [trailer]
}
