import type { TableSpec } from '../spec'

/** Which of `columns` hold JSON, in order. */
export function jsonColumns(spec: TableSpec, columns: readonly string[]): boolean[] {
  return columns.map(name => spec.columns.find(c => c.name === name)?.kind === 'json')
}
