import type { TableSpec } from '../spec'

/**
 * The comparison form of a row: its JSON array, as the spool holds the file's rows. A database
 * row (rowsAsArray, in the spooled columns' order) is serialized the same way, so equal text
 * means equal values, i.e. re-inserting the file's row would store what is already there.
 * mysql2 parses JSON columns (MySQL 8, and MariaDB's through its extended metadata); a server that
 * sends them as text gets them parsed here, as the export does.
 */
export function dbRowJson(row: unknown[], json: readonly boolean[]): string {
  for (let i = 0; i < json.length; i++) {
    if (json[i] && typeof row[i] === 'string') row[i] = JSON.parse(row[i] as string)
  }
  return JSON.stringify(row)
}

/** Which of `columns` hold JSON, in order. */
export function jsonColumns(spec: TableSpec, columns: readonly string[]): boolean[] {
  return columns.map(name => spec.columns.find(c => c.name === name)?.kind === 'json')
}
