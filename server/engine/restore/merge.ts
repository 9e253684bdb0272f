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
 * The merge, fed one database batch at a time (push): the restore's comparison pulls batches
 * from its own read (mergeSorted), while the safety backup hands over the batches its export
 * reads anyway (snapshot-diff.ts), so one read of the user's rows serves both. Pure: it reads the
 * batches given and the file's cursor, nothing else. Edits come in arrays of at most MAX_EDITS
 * (about one per database batch), so memory stays bounded however the keys interleave. A
 * database row is serialized only when the file has the same key (rows only in the database
 * need no comparison), or its text is given. Awaits only when the file's buffer runs out.
 */
export class Merger {
  /** The file's next row; null before the first read, undefined at its end. */
  private f: SpooledRow | null | undefined = null
  constructor(private readonly file: RowCursor) {}

  /**
   * The edits for one batch of database rows: their keys (ascending, after the previous batch's),
   * and `text(i)`, row i's comparison form, asked for only where the file has the same key.
   */
  async* push(keys: readonly number[], text: (i: number) => string): AsyncGenerator<Edit[]> {
    const file = this.file
    let f = this.f === null ? await nextRow(file) : this.f
    // take() first: only an empty buffer costs an await (a promise per row would double the time).
    let t: SpooledRow | null | undefined
    let edits: Edit[] = []
    for (let i = 0; i < keys.length; i++) {
      const pk = keys[i]!
      while (f && f.pk < pk) {
        edits.push({ op: 'insert', pk: f.pk, json: f.json })
        if (edits.length >= MAX_EDITS) {
          this.f = f
          yield edits
          edits = []
        }
        t = file.take()
        f = t === null ? await nextRow(file) : t
      }
      if (f && f.pk === pk) {
        edits.push(f.json === text(i) ? { op: 'same', pk } : { op: 'change', pk, json: f.json })
        t = file.take()
        f = t === null ? await nextRow(file) : t
      }
      else edits.push({ op: 'delete', pk })
    }
    this.f = f
    if (edits.length) yield edits
  }

  /** After the last batch: the file's remaining rows (all inserts), in arrays of MAX_EDITS. */
  async* rest(): AsyncGenerator<Edit[]> {
    const file = this.file
    let f = this.f === null ? await nextRow(file) : this.f
    let t: SpooledRow | null | undefined
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
    this.f = undefined
    if (rest.length) yield rest
  }
}

/**
 * Merges two streams ordered by ascending primary key — the database's rows, in batches, and the
 * file's — into the edits that turn the first into the second, in arrays of at most MAX_EDITS
 * (about one per database batch, then the remaining file rows).
 */
export async function* mergeSorted(db: AsyncIterable<unknown[][]>, file: RowCursor, shape: DbRowShape): AsyncGenerator<Edit[]> {
  const merger = new Merger(file)
  for await (const batch of db) yield* merger.push(batch.map(shape.pk), i => shape.json(batch[i]!))
  yield* merger.rest()
}

/** A cursor over rows already in memory (tests, small inputs). */
export function arrayCursor(rows: readonly SpooledRow[]): RowCursor {
  let i = 0
  return { take: () => (i < rows.length ? rows[i++] : undefined), fill: async () => {} }
}
