import { MAX_ROW_ID } from '../format'
import type { ColumnSpec } from '../spec'

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATETIME = /^(\d{4})-(\d{2})-(\d{2}) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?$/

/** Every string in a parsed JSON value (keys included) is well-formed Unicode. */
function wellFormedJson(v: unknown): boolean {
  if (typeof v === 'string') return v.isWellFormed()
  if (Array.isArray(v)) return v.every(wellFormedJson)
  if (v && typeof v === 'object') return Object.entries(v).every(([k, x]) => k.isWellFormed() && wellFormedJson(x))
  return true
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** A real calendar day (plain arithmetic: a Date per value measured as a visible share of a restore). */
function validDate(y: number, m: number, d: number) {
  if (y < 1000 || m < 1 || m > 12 || d < 1) return false
  const leap = m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
  return d <= DAYS[m - 1]! + (leap ? 1 : 0)
}

/** Builds a checker for one column: true if `v` is a value MySQL will store exactly as written. */
export function valueChecker(c: ColumnSpec): (v: unknown) => boolean {
  const nullOk = c.nullable
  const check = ((): (v: unknown) => boolean => {
    switch (c.kind) {
      // Bounded well below 2^53: the shared AUTO_INCREMENT continues from here (format.ts).
      case 'id': return v => Number.isInteger(v) && (v as number) > 0 && (v as number) <= MAX_ROW_ID
      case 'int': return v => Number.isSafeInteger(v)
      case 'decimal': {
        const re = new RegExp(`^-?\\d{1,${c.precision - c.scale}}(\\.\\d{1,${c.scale}})?$`)
        return v => typeof v === 'string' && re.test(v)
      }
      // Code points ≤ UTF-16 units, and UTF-8 bytes ≤ 3 × UTF-16 units: most values need no count.
      // A lone surrogate would be stored as U+FFFD: not "exactly as written", so refused.
      case 'string': {
        const max = c.maxLength
        return v => typeof v === 'string' && v.isWellFormed() && (v.length <= max || [...v].length <= max)
      }
      case 'text': {
        const max = c.maxLength
        return v => typeof v === 'string' && v.isWellFormed() && (v.length * 3 <= max || Buffer.byteLength(v) <= max)
      }
      case 'date': return (v) => {
        const m = typeof v === 'string' && DATE.exec(v)
        return !!m && validDate(Number(m[1]), Number(m[2]), Number(m[3]))
      }
      case 'datetime': return (v) => {
        const m = typeof v === 'string' && DATETIME.exec(v)
        return !!m && validDate(Number(m[1]), Number(m[2]), Number(m[3]))
      }
      case 'json': return v => v !== undefined && wellFormedJson(v)
      case 'enum': {
        const values = c.enumValues
        return v => typeof v === 'string' && values.includes(v)
      }
    }
  })()
  return v => (v === null ? nullOk : check(v))
}
