import { describe, expect, it } from 'vitest'
import { insertTuple } from '../../../../server/engine/restore/apply'

describe('insertTuple', () => {
  it('builds an escaped VALUES tuple with the owner first; JSON as text, NULL as NULL, numbers bare', () => {
    expect(insertTuple(7, [1, 'it\'s "x"\\', null, '12.50', ['a', 'b'], { k: 'v' }], [false, false, false, false, true, true]))
      .toBe(`(7,1,'it\\'s \\"x\\"\\\\',NULL,'12.50','[\\"a\\",\\"b\\"]','{\\"k\\":\\"v\\"}')`)
  })

  it('leaves no way out of the string for hostile text', () => {
    const tuple = insertTuple(1, ['\'); DROP TABLE users; --', '\u0000\n\r\u001a'], [false, false])
    expect(tuple).toBe(`(1,'\\'); DROP TABLE users; --','\\0\\n\\r\\Z')`)
  })
})
