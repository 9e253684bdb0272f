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
