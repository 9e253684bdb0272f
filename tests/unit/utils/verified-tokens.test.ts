import { describe, expect, it } from 'vitest'
import { VerifiedTokens } from '../../../server/utils/verified-tokens'

describe('VerifiedTokens (access tokens verified once, by their exact text)', () => {
  const now = Date.parse('2026-11-30T10:00:00Z')
  const alice = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLW9mLWFsaWNl'
  const bob = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIyIn0.c2lnbmF0dXJlLW9mLWJvYg'

  it('answers each token with its own claims, and nothing for a token that differs in any byte', () => {
    const cache = new VerifiedTokens<{ userId: number }>()
    cache.set(alice, { userId: 1 }, now + 60_000)
    cache.set(bob, { userId: 2 }, now + 60_000)
    expect(cache.get(alice, now)).toEqual({ userId: 1 })
    expect(cache.get(bob, now)).toEqual({ userId: 2 })
    // Bob's payload under Alice's signature, a changed last character, a prefix: never a hit.
    const [, bobPayload] = bob.split('.')
    const [aliceHeader, , aliceSig] = alice.split('.')
    for (const forged of [`${aliceHeader}.${bobPayload}.${aliceSig}`, `${alice.slice(0, -1)}x`, alice.slice(0, -5), `${alice} `]) {
      expect(cache.get(forged, now)).toBeUndefined()
    }
  })

  it('is never used past the token\'s expiry, which it reports as such once', () => {
    const cache = new VerifiedTokens<{ userId: number }>()
    cache.set(alice, { userId: 1 }, now + 1000)
    expect(cache.get(alice, now + 999)).toEqual({ userId: 1 })
    expect(cache.get(alice, now + 1000)).toBe('expired')
    expect(cache.get(alice, now + 1000)).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('stays bounded, dropping the oldest entry first', () => {
    const cache = new VerifiedTokens<number>(3)
    for (let i = 0; i < 5; i++) cache.set(`t${i}`, i, now + 60_000)
    expect(cache.size).toBe(3)
    expect(cache.get('t0', now)).toBeUndefined()
    expect(cache.get('t1', now)).toBeUndefined()
    expect(cache.get('t4', now)).toBe(4)
  })
})
