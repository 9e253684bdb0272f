import type { SpooledRow } from './spool-format'

/**
 * What to do with one primary key to make the database's rows equal the file's:
 * `same` — equal in both; `change` — in both but different (replace it with the file's row);
 * `delete` — only in the database; `insert` — only in the file.
 */
export type Edit =
  | { op: 'same', pk: number }
  | { op: 'change', pk: number, json: string }
  | { op: 'delete', pk: number }
  | { op: 'insert', pk: number, json: string }

/** The file's rows in ascending key: `take()` is synchronous while buffered (null: `fill()` first; undefined: the end). */
export interface RowCursor {
  take(): SpooledRow | null | undefined
  fill(): Promise<void>
}

/** How to read a database row (an array): its key, and its comparison form (row-json.ts). */
export interface DbRowShape {
  pk(row: unknown[]): number
  json(row: unknown[]): string
}

/**
 * The most edits yielded at once. A run of file-only keys (every file key below the next
 * database key, e.g. a restore over entirely different data) is cut into arrays of this size,
 * so memory stays bounded however the keys interleave.
 */
const MAX_EDITS = 4096

async function nextRow(file: RowCursor): Promise<SpooledRow | undefined> {
  for (;;) {
    const row = file.take()
    if (row !== null) return row
    await file.fill()
  }
}

/**
 * Merges two streams ordered by ascending primary key — the database's rows, in batches, and the
 * file's — into the edits that turn the first into the second, in arrays of at most MAX_EDITS
 * (about one per database batch, then the remaining file rows). Pure: it reads its two inputs and nothing else. A
 * database row is serialized only when the file has the same key (rows only in the database
 * need no comparison). Awaits only when a batch or the file's buffer runs out.
 */
export async function* mergeSorted(db: AsyncIterable<unknown[][]>, file: RowCursor, shape: DbRowShape): AsyncGenerator<Edit[]> {
  let f = await nextRow(file)
  // take() first: only an empty buffer costs an await (a promise per row would double the time).
  let t: SpooledRow | null | undefined
  for await (const batch of db) {
    let edits: Edit[] = []
    for (const row of batch) {
      const pk = shape.pk(row)
      while (f && f.pk < pk) {
        edits.push({ op: 'insert', pk: f.pk, json: f.json })
        if (edits.length >= MAX_EDITS) {
          yield edits
          edits = []
        }
        t = file.take()
        f = t === null ? await nextRow(file) : t
      }
      if (f && f.pk === pk) {
        edits.push(f.json === shape.json(row) ? { op: 'same', pk } : { op: 'change', pk, json: f.json })
        t = file.take()
        f = t === null ? await nextRow(file) : t
      }
      else edits.push({ op: 'delete', pk })
    }
    if (edits.length) yield edits
  }
  let rest: Edit[] = []
  while (f) {
    rest.push({ op: 'insert', pk: f.pk, json: f.json })
    if (rest.length >= MAX_EDITS) {
      yield rest
      rest = []
    }
    t = file.take()
    f = t === null ? await nextRow(file) : t
  }
  if (rest.length) yield rest
}

/** A cursor over rows already in memory (tests, small inputs). */
export function arrayCursor(rows: readonly SpooledRow[]): RowCursor {
  let i = 0
  return { take: () => (i < rows.length ? rows[i++] : undefined), fill: async () => {} }
}
