import { describe, expect, it } from 'vitest'
import { validTimeZone } from '../../../shared/time-zone'

describe('validTimeZone', () => {
  it('gives a zone this runtime knows in its canonical spelling, so one zone is one cache key', () => {
    expect(validTimeZone('America/Sao_Paulo')).toBe('America/Sao_Paulo')
    expect(validTimeZone('america/sao_paulo')).toBe('America/Sao_Paulo')
    expect(validTimeZone('utc')).toBe('UTC')
    expect(validTimeZone('Asia/Tokyo')).toBe('Asia/Tokyo')
  })

  it('refuses what is not a zone, empty or absurdly long (a cookie is untrusted)', () => {
    expect(validTimeZone('Mars/Olympus')).toBeNull()
    expect(validTimeZone('')).toBeNull()
    expect(validTimeZone(null)).toBeNull()
    expect(validTimeZone(undefined)).toBeNull()
    expect(validTimeZone(`Europe/${'x'.repeat(80)}`)).toBeNull()
  })
})

describe('validTimeZone, remembered', () => {
  it('answers the same the second time, for zones and non-zones alike', () => {
    for (const tz of ['Europe/Lisbon', 'europe/lisbon', 'Mars/Olympus']) expect(validTimeZone(tz)).toBe(validTimeZone(tz))
    expect(validTimeZone('europe/lisbon')).toBe('Europe/Lisbon')
    expect(validTimeZone('Mars/Olympus')).toBeNull()
  })

  it('stays right after more untrusted spellings than it remembers (cleared, never wrong)', () => {
    // Every case variant of a zone is a distinct key: 4096 of them (12 of its letters, upper or
    // lower) overflow the memory many times.
    const zone = 'America/Sao_Paulo'
    const letters = [...zone].flatMap((c, j) => (/[a-z]/i.test(c) ? [j] : [])).slice(0, 12)
    for (let i = 0; i < 4096; i++) {
      const spelling = [...zone].map((c, j) => (letters.includes(j) && (i >> letters.indexOf(j)) & 1 ? c.toUpperCase() : c.toLowerCase())).join('')
      expect(validTimeZone(spelling)).toBe(zone)
      expect(validTimeZone(`${spelling}x`)).toBeNull()
    }
    expect(validTimeZone('utc')).toBe('UTC')
  })
})
