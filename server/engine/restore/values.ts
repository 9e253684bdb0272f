import type { ColumnSpec } from '../spec'

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATETIME = /^(\d{4})-(\d{2})-(\d{2}) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?$/

function validDate(y: number, m: number, d: number) {
  const dt = new Date(Date.UTC(y, m - 1, d))
  return y >= 1000 && dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d
}

/** Builds a checker for one column: true if `v` is a value MySQL will store exactly as written. */
export function valueChecker(c: ColumnSpec): (v: unknown) => boolean {
  const nullOk = c.nullable
  const check = ((): (v: unknown) => boolean => {
    switch (c.kind) {
      case 'id': return v => Number.isSafeInteger(v) && (v as number) > 0
      case 'int': return v => Number.isSafeInteger(v)
      case 'decimal': {
        const re = new RegExp(`^-?\\d{1,${c.precision! - c.scale!}}(\\.\\d{1,${c.scale}})?$`)
        return v => typeof v === 'string' && re.test(v)
      }
      case 'string': return v => typeof v === 'string' && [...v].length <= c.maxLength!
      case 'text': return v => typeof v === 'string' && Buffer.byteLength(v) <= c.maxLength!
      case 'date': return (v) => {
        const m = typeof v === 'string' && DATE.exec(v)
        return !!m && validDate(Number(m[1]), Number(m[2]), Number(m[3]))
      }
      case 'datetime': return (v) => {
        const m = typeof v === 'string' && DATETIME.exec(v)
        return !!m && validDate(Number(m[1]), Number(m[2]), Number(m[3]))
      }
      case 'json': return v => v !== undefined
      case 'enum': return v => typeof v === 'string' && c.enumValues!.includes(v)
    }
  })()
  return v => (v === null ? nullOk : check(v))
}
