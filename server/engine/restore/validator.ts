import { BackupInvalidError } from '../errors'
import { FORMAT_NAME, READABLE_FORMAT_VERSIONS, SCHEMA_VERSION, type Header } from '../format'
import type { TableSpec } from '../spec'
import type { Line } from './archive-reader'
import { upgrade } from './upgrades'
import { valueChecker } from './values'

export interface ValidationContext {
  userId: number
  tables: readonly TableSpec[]
}

/** A table as the (upgraded) file has it: which registry columns its row arrays carry, in order. */
export interface FileTable {
  spec: TableSpec
  columns: string[]
  mapRow?: (row: unknown[]) => unknown[]
}

export type ValidatedItem =
  | { kind: 'header', header: Header, tables: FileTable[] }
  /**
   * `text`: the row's JSON as the file has it (format 2's bare array line), when it is exactly
   * `row` (no upgrade mapped it): the spool keeps it instead of serializing the row again.
   */
  | { kind: 'row', table: FileTable, row: unknown[], text?: string }
  /** Format 2: the line that starts a table's rows. */
  | { kind: 'table', table: FileTable }
  | { kind: 'end', rowCounts: Record<string, number> }

const invalid = (reason: ConstructorParameters<typeof BackupInvalidError>[0], detail: string) => new BackupInvalidError(reason, detail)

function checkHeader(raw: Record<string, unknown>, ctx: ValidationContext): { header: Header, tables: FileTable[] } {
  if (raw.type !== 'header' || raw.format !== FORMAT_NAME) throw invalid('unsupported_format', 'not a Cofre backup')
  if (!(READABLE_FORMAT_VERSIONS as readonly unknown[]).includes(raw.version)) throw invalid('unsupported_format', `format version ${String(raw.version)}`)
  if (!Number.isInteger(raw.schemaVersion) || (raw.schemaVersion as number) > SCHEMA_VERSION || (raw.schemaVersion as number) < 0) throw invalid('unsupported_format', `schema version ${String(raw.schemaVersion)}`)
  if (raw.userId !== ctx.userId) throw invalid('owner_mismatch', 'the backup belongs to another user')
  if (!Array.isArray(raw.tables)) throw invalid('malformed', 'header has no tables')
  const up = upgrade(raw as unknown as Header, SCHEMA_VERSION)
  if (!up) throw invalid('unsupported_format', `no upgrade from schema ${String(raw.schemaVersion)}`)
  const seen = new Set<string>()
  const tables = up.header.tables.map((t): FileTable => {
    const spec = ctx.tables.find(s => s.name === t?.name)
    if (!spec) throw invalid('unknown_table', String(t?.name))
    if (seen.has(spec.name)) throw invalid('malformed', `table ${spec.name} declared twice`)
    seen.add(spec.name)
    if (!Array.isArray(t.columns)) throw invalid('malformed', `table ${spec.name} has no columns`)
    const columns = t.columns.map(c => String(c?.name))
    for (const c of columns) if (!spec.columns.some(sc => sc.name === c)) throw invalid('unknown_column', `${spec.name}.${c}`)
    if (new Set(columns).size !== columns.length) throw invalid('malformed', `duplicate column in ${spec.name}`)
    if (!columns.includes(spec.primaryKey)) throw invalid('missing_column', `${spec.name}.${spec.primaryKey}`)
    for (const sc of spec.columns) {
      // A column the file lacks gets NULL or its default on insert; NOT NULL columns without a
      // default would fail there, so refuse them here.
      if (!columns.includes(sc.name) && !sc.nullable && !sc.hasDefault) throw invalid('missing_column', `${spec.name}.${sc.name}`)
    }
    return { spec, columns, mapRow: up.rows[spec.name] }
  })
  // Parents must come before children, as in the registry.
  const order = tables.map(t => ctx.tables.indexOf(t.spec))
  if (order.some((v, i) => i > 0 && v < order[i - 1]!)) throw invalid('malformed', 'tables out of order')
  return { header: up.header, tables }
}

/**
 * Validates a whole backup while streaming it, yielding the header and each row ready to insert.
 * Checks: format and versions (older ones upgraded), owner, tables and columns against the
 * registry, every value against its column type, primary keys strictly ascending (so unique),
 * every reference resolving inside the backup, row counts and digest against the trailer.
 * Memory: the ids of referenced tables (accounts, categories), not the rows.
 */
export async function* validatedRows(lines: AsyncIterable<Line>, ctx: ValidationContext): AsyncGenerator<ValidatedItem> {
  async function* single() { for await (const line of lines) yield [line] }
  for await (const batch of validatedBatches(single(), ctx)) yield* batch
}

/**
 * validatedRows for lines in arrays (archive-reader's readArchiveBatches): one array of items per
 * array of lines, so a million rows cost a few hundred awaits, not a few million.
 */
export async function* validatedBatches(batches: AsyncIterable<readonly Line[]>, ctx: ValidationContext): AsyncGenerator<ValidatedItem[]> {
  let tables: FileTable[] | undefined
  const counts = new Map<string, number>()
  const referencedTables = new Set(ctx.tables.flatMap(t => t.references.map(r => r.table)))
  const ids = new Map<string, Set<number>>([...referencedTables].map(n => [n, new Set<number>()]))
  let current: FileTable | undefined
  let currentIdx = -1
  let lastPk = -Infinity
  let checkers: ((v: unknown) => boolean)[] = []
  let pkIdx = 0
  let refs: { idx: number, table: string, self: boolean }[] = []
  let pendingSelf: { id: number, ref: number, column: string }[] = []

  /** Format 1 wraps every row with its table; format 2 names each table once and writes bare arrays. */
  let bareRows = false

  /** The rows that follow belong to table `name` (it must come after the current one). */
  const enterTable = (name: string, lineNo: number) => {
    const all = tables!
    const idx = all.findIndex(ft => ft.spec.name === name)
    if (idx === -1) throw invalid(ctx.tables.some(s => s.name === name) ? 'malformed' : 'unknown_table', `rows of ${name} at line ${lineNo}`)
    if (idx <= currentIdx) throw invalid('malformed', `rows of ${name} out of order at line ${lineNo}`)
    finishTable()
    const table = all[idx]
    if (!table) throw invalid('malformed', `rows of ${name} at line ${lineNo}`)
    current = table
    currentIdx = idx
    lastPk = -Infinity
    // The header check already matched every file column to a registry column.
    checkers = table.columns.map((c) => {
      const spec = table.spec.columns.find(sc => sc.name === c)
      if (!spec) throw invalid('unknown_column', `${name}.${c}`)
      return valueChecker(spec)
    })
    pkIdx = table.columns.indexOf(table.spec.primaryKey)
    refs = table.spec.references.filter(r => table.columns.includes(r.column)).map(r => ({ idx: table.columns.indexOf(r.column), table: r.table, self: r.table === table.spec.name }))
  }

  const finishTable = () => {
    if (!current) return
    const own = ids.get(current.spec.name)
    for (const p of pendingSelf) if (!own?.has(p.ref)) throw invalid('dangling_reference', `${current.spec.name}#${p.id}.${p.column} → ${p.ref}`)
    pendingSelf = []
  }

  /** One line's item; every line has exactly one. */
  const validate = (line: Line): ValidatedItem => {
    if (line.kind === 'trailer') {
      if (!tables) throw invalid('malformed', 'trailer before header')
      finishTable()
      const t = line.value
      const declared = t.rowCounts as Record<string, unknown> | undefined
      if (!declared || typeof declared !== 'object') throw invalid('malformed', 'trailer without row counts')
      for (const ft of tables) {
        if (declared[ft.spec.name] !== (counts.get(ft.spec.name) ?? 0)) throw invalid('row_count_mismatch', `${ft.spec.name}: trailer says ${String(declared[ft.spec.name])}, file has ${counts.get(ft.spec.name) ?? 0}`)
      }
      for (const name of Object.keys(declared)) if (!tables.some(ft => ft.spec.name === name)) throw invalid('row_count_mismatch', `trailer counts unknown table ${name}`)
      if (t.digest !== line.digestOfPreceding) throw invalid('digest_mismatch', 'content does not match the trailer digest')
      return { kind: 'end', rowCounts: Object.fromEntries(tables.map(ft => [ft.spec.name, counts.get(ft.spec.name) ?? 0])) }
    }
    const rec = line.value
    if (!tables) {
      if (Array.isArray(rec)) throw invalid('unsupported_format', 'not a Cofre backup')
      const h = checkHeader(rec, ctx)
      tables = h.tables
      bareRows = h.header.version >= 2
      return { kind: 'header', ...h }
    }
    let row: unknown[]
    let text: string | undefined
    if (Array.isArray(rec)) {
      // Format 2: a row of the table the last table line named.
      if (!bareRows) throw invalid('malformed', `line ${line.line} is not a row`)
      if (!current) throw invalid('malformed', `row before any table line at line ${line.line}`)
      row = rec
      text = line.kind === 'record' ? line.text : undefined
    }
    else {
      if (rec.type === 'header') throw invalid('malformed', `second header at line ${line.line}`)
      const name = rec.t
      if (bareRows) {
        if (typeof name !== 'string' || Object.keys(rec).length !== 1) throw invalid('malformed', `line ${line.line} is not a table line`)
        enterTable(name, line.line)
        return { kind: 'table', table: current! }
      }
      if (typeof name !== 'string' || !Array.isArray(rec.r)) throw invalid('malformed', `line ${line.line} is not a row`)
      if (!current || current.spec.name !== name) enterTable(name, line.line)
      row = rec.r as unknown[]
    }
    const table = current!
    const name = table.spec.name
    if (table.mapRow) {
      row = table.mapRow(row)
      text = undefined
    }
    if (row.length !== table.columns.length) throw invalid('malformed', `${name} row at line ${line.line} has ${row.length} values, expected ${table.columns.length}`)
    for (let i = 0; i < row.length; i++) {
      if (!checkers[i]?.(row[i])) throw invalid('bad_value', `${name}.${table.columns[i]} at line ${line.line}`)
    }
    const pk = row[pkIdx] as number
    if (pk === lastPk) throw invalid('duplicate_key', `${name} id ${pk} at line ${line.line}`)
    if (pk < lastPk) throw invalid('malformed', `${name} ids not ascending at line ${line.line}`)
    lastPk = pk
    ids.get(name)?.add(pk)
    for (const r of refs) {
      const v = row[r.idx]
      if (v === null) continue
      if (r.self) pendingSelf.push({ id: pk, ref: v as number, column: table.columns[r.idx] ?? '?' })
      else if (!ids.get(r.table)?.has(v as number)) throw invalid('dangling_reference', `${name}#${pk}.${table.columns[r.idx]} → ${r.table}#${String(v)}`)
    }
    counts.set(name, (counts.get(name) ?? 0) + 1)
    return { kind: 'row', table, row, text }
  }

  for await (const lines of batches) {
    const items: ValidatedItem[] = []
    for (const line of lines) {
      const item = validate(line)
      items.push(item)
      if (item.kind === 'end') {
        yield items
        return
      }
    }
    yield items
  }
  throw invalid('truncated', 'no trailer')
}
