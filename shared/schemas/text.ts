import { z } from 'zod'

/**
 * Every string the API accepts goes through this one refinement. A string with a lone UTF-16
 * surrogate (`"\ud800"` in a JSON body) has no UTF-8 form: MySQL would store U+FFFD in its place
 * (a silently different name) or refuse it (a JSON tag → a 500). It is refused up front instead,
 * with the same 422 VALIDATION_FAILED and message for every field.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Well-formed UTF-16 (String.prototype.isWellFormed; the regex for older browsers). */
export function isWellFormedText(s: string): boolean {
  return typeof s.isWellFormed === 'function' ? s.isWellFormed() : !LONE_SURROGATE.test(s)
}

/**
 * `z.string(params)` that refuses ill-formed Unicode before any other check (so the field's error
 * is `validation.unicode`, not a length or pattern message computed on a broken string).
 */
export const text = (params?: Parameters<typeof z.string>[0]) =>
  z.string(params).refine(isWellFormedText, { message: 'validation.unicode', abort: true })
