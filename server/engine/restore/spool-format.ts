import { createReadStream, createWriteStream, type WriteStream } from 'node:fs'

/**
 * The spool format: the rows of one table in a private temp file, one line per row in ascending
 * primary key, `<pk>\t<JSON array of the row's values>\n`. JSON.stringify escapes newlines
 * inside strings, so a line never contains a raw newline. Written by pass 1 (spool.ts) and by the
 * comparison (the lists of rows to delete and insert), read back by the merge and the apply.
 */
export interface SpooledRow { pk: number, json: string }

export const spoolLine = (pk: number, json: string) => `${pk}\t${json}\n`

const LINE_BUFFER_BYTES = 1 << 20

/**
 * Buffered appends to a file. Each line is encoded straight into a 1 MB Buffer (Buffer.write):
 * growing one big string and encoding it at once measured ~3x slower. `write` returns a promise
 * only when the buffer went to the file and the file asked to wait (backpressure).
 */
export class LineWriter {
  private buf = Buffer.allocUnsafe(LINE_BUFFER_BYTES)
  private pos = 0
  private failure: Error | undefined
  private readonly out: WriteStream
  constructor(path: string) {
    this.out = createWriteStream(path, { mode: 0o600 })
    this.out.on('error', (err) => { this.failure = err })
  }

  write(line: string): Promise<void> | undefined {
    if (this.failure) throw this.failure
    const need = line.length * 3
    let wait: Promise<void> | undefined
    if (this.pos + need > this.buf.length) {
      wait = this.flush()
      if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need)
    }
    this.pos += this.buf.write(line, this.pos)
    return wait
  }

  private flush(): Promise<void> | undefined {
    if (!this.pos) return undefined
    const chunk = this.buf.subarray(0, this.pos)
    this.buf = Buffer.allocUnsafe(LINE_BUFFER_BYTES)
    this.pos = 0
    if (this.out.write(chunk)) return undefined
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => { this.out.off('drain', done); this.out.off('error', done); if (err) reject(err); else resolve() }
      this.out.on('drain', done)
      this.out.on('error', done)
    })
  }

  async end() {
    await this.flush()
    if (this.failure) throw this.failure
    await new Promise<void>((resolve, reject) => { this.out.once('error', reject); this.out.end(resolve) })
  }

  destroy() { this.out.destroy() }
}

export interface SpooledRow { pk: number, json: string }

/**
 * Reads spool lines back. `take()` is synchronous while buffered lines last (no promise per
 * row) and returns null when `fill()` must be awaited; each line is decoded on its own (ASCII and
 * Latin-1 lines stay compact one-byte strings).
 */
export class SpoolReader {
  private buf: Buffer = Buffer.alloc(0)
  private pos = 0
  private ended = false
  private readonly it: AsyncIterator<Buffer>

  constructor(path: string) {
    this.it = (createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
  }

  /** The next row, null if more must be read first (await fill()), undefined at the end. */
  take(): SpooledRow | null | undefined {
    const nl = this.buf.indexOf(10, this.pos)
    if (nl === -1) return this.ended ? undefined : null
    const tab = this.buf.indexOf(9, this.pos)
    const row = { pk: Number(this.buf.toString('latin1', this.pos, tab)), json: this.buf.toString('utf8', tab + 1, nl) }
    this.pos = nl + 1
    return row
  }

  async fill() {
    const r = await this.it.next()
    const rest = this.buf.subarray(this.pos)
    if (r.done) {
      this.ended = true
      if (rest.length) throw new Error('restore spool: the last line has no end')
      this.buf = rest
    }
    else this.buf = rest.length ? Buffer.concat([rest, r.value]) : r.value
    this.pos = 0
  }

  /** The next row or undefined at the end, reading as needed. */
  async next(): Promise<SpooledRow | undefined> {
    for (;;) {
      const row = this.take()
      if (row !== null) return row
      await this.fill()
    }
  }

  async close() { await this.it.return?.() }
}
