import { describe, expect, it } from 'vitest'
import { compactJson, isCompactStringArray } from '../../../../server/engine/db/row-lines'

// The backup's JSON columns are written as JSON.stringify writes them. compactJson keeps text that
// already is that form without parsing it; these check that it never keeps anything else.
const reference = (text: string) => JSON.stringify(JSON.parse(text))

describe('compactJson', () => {
  it('keeps compact arrays of plain strings as they are', () => {
    for (const text of ['[]', '[""]', '["casa"]', '["casa","mercado"]', '["dinner out","a,b","[x]","{}"]', '["ação","日本","😀 emoji","\u2028"]', '["\u007F"]']) {
      expect(isCompactStringArray(text), text).toBe(true)
      expect(compactJson(text)).toBe(reference(text))
    }
  })

  it('writes again whatever JSON.stringify would write another way', () => {
    const other = [
      '[ ]', '["a", "b"]', '[ "a"]', '["a" ]', '\n["a"]', // spacing (MySQL 8 writes `["a", "b"]`)
      '["\\u0041"]', '["a\\/b"]', '["\\"q"]', '["\\\\"]', '["\\n"]', '["\\ud83d\\ude00"]', // escapes
      '[1]', '[1.0]', '[1e2]', '["a",2]', '[true]', '[null]', '[["a"]]', '[{"b":1,"1":2}]', // not strings
      '{"a":1,"a":2}', '"x"', '1', 'null', 'true', // not arrays
    ]
    for (const text of other) {
      expect(isCompactStringArray(text), text).toBe(false)
      expect(compactJson(text)).toBe(reference(text))
    }
  })

  it('never keeps text that is not valid JSON, nor a string JSON.stringify would escape', () => {
    const invalid = ['[', ']', '["a"', '["a",]', '[,"a"]', '["a""b"]', '["a"]]', '[["a"]', '["a"x]', '[\'a\']', '["a\tb"]', '["\u0001"]']
    for (const text of invalid) {
      expect(isCompactStringArray(text), text).toBe(false)
      expect(() => JSON.parse(text)).toThrow()
    }
    // Unpaired surrogates: JSON.stringify writes them as \ud800 escapes.
    for (const text of ['["\uD800"]', '["\uDC00"]', '["a\uD800b"]', '["\uD800\uD800"]']) {
      expect(isCompactStringArray(text), JSON.stringify(text)).toBe(false)
      expect(compactJson(text)).toBe(reference(text))
    }
  })

  it('agrees with JSON.stringify(JSON.parse()) on random arrays of strings', () => {
    // Strings of characters drawn from the ones that matter: quotes, backslashes, controls,
    // surrogates (paired and not), commas, brackets, spaces, ASCII and beyond.
    const alphabet = ['a', 'Z', ' ', ',', '[', ']', '"', '\\', '/', '\n', '\u0000', '\u001F', '\u007F', 'é', '\u2028', '\uD83D\uDE00', '\uD800', '\uDFFF']
    let seed = 42
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
    for (let k = 0; k < 5000; k++) {
      const items = Array.from({ length: rand(4) }, () => Array.from({ length: rand(6) }, () => alphabet[rand(alphabet.length)]).join(''))
      const spaced = rand(4) === 0
      const text = JSON.stringify(items, null, spaced ? 1 : undefined)
      expect(compactJson(text)).toBe(reference(text))
      // Kept as is only when that is exactly JSON.stringify's output.
      if (isCompactStringArray(text)) expect(text).toBe(reference(text))
    }
  })
})
