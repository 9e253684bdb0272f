import type { Connection } from 'mysql2'

/** Rows queued before the connection is paused (backpressure), and so the most rows one batch
 * hands over: small enough that processing a batch never holds the event loop for long. */
const MAX_QUEUED_ROWS = 2048

/**
 * Runs `sql` on a callback-API connection and yields its rows (as arrays) in batches, as mysql2
 * parses them: one await per batch, never a promise per row. While MAX_QUEUED_ROWS wait for the
 * consumer the connection is paused, so memory stays bounded whatever the result's size.
 *
 * mysql2 reports a fatal connection error (a KILL, a lost server) to the connection and not
 * always to the query: both are listened to, or the consumer would wait forever.
 */
export async function* rowBatches(conn: Connection, sql: string, values: unknown[]): AsyncGenerator<unknown[][]> {
  let batch: unknown[][] = []
  let done = false
  let failure: Error | undefined
  let wake: (() => void) | undefined
  let paused = false
  const signal = () => {
    const w = wake
    wake = undefined
    w?.()
  }
  const fail = (err: Error) => {
    failure ??= err
    signal()
  }
  const query = conn.query({ sql, values, rowsAsArray: true })
  query.on('result', (row) => {
    batch.push(row as unknown as unknown[])
    if (batch.length >= MAX_QUEUED_ROWS && !paused) {
      paused = true
      conn.pause()
    }
    if (batch.length === 1) signal()
  })
  query.on('error', err => fail(err))
  query.on('end', () => {
    done = true
    signal()
  })
  const onConnError = (err: Error) => fail(err)
  const onConnEnd = () => fail(new Error('connection closed while reading rows'))
  conn.once('error', onConnError)
  conn.once('end', onConnEnd)
  try {
    for (;;) {
      if (failure) throw failure
      if (batch.length) {
        const rows = batch
        batch = []
        if (paused) {
          paused = false
          conn.resume()
        }
        yield rows
        continue
      }
      if (done) return
      await new Promise<void>((resolve) => { wake = resolve })
    }
  }
  finally {
    conn.removeListener('error', onConnError)
    conn.removeListener('end', onConnEnd)
    if (paused) conn.resume()
  }
}
