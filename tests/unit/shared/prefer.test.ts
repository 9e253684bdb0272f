import { describe, expect, it } from 'vitest'
import { prefersRespondAsync } from '../../../shared/prefer'

describe('Prefer: respond-async (RFC 7240)', () => {
  it('is found among other preferences, with parameters, in any case', () => {
    for (const h of ['respond-async', 'Respond-Async', 'return=minimal, respond-async', 'respond-async; foo=bar', ' respond-async ,wait=10']) expect(prefersRespondAsync(h), h).toBe(true)
  })
  it('is not a substring match, and absent means wait', () => {
    for (const h of [undefined, null, '', 'wait=10', 'return=representation', 'xrespond-async', 'respond-asynchronously', 'foo=respond-async']) expect(prefersRespondAsync(h), String(h)).toBe(false)
  })
})
