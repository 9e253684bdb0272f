import { describe, expect, it } from 'vitest'
import { dateTimeFormat, displayNames, listFormat, numberFormat, relativeTimeFormat } from '../../../shared/intl'

describe('shared Intl formatters', () => {
  it('hands back the same formatter for the same locale and options, and formats like a fresh one', () => {
    const opts = { dateStyle: 'medium', timeStyle: 'short', timeZone: 'America/Sao_Paulo' } as const
    const a = dateTimeFormat('pt-BR', opts)
    expect(dateTimeFormat('pt-BR', { ...opts })).toBe(a)
    const when = new Date('2026-11-25T13:05:00Z')
    expect(a.format(when)).toBe(new Intl.DateTimeFormat('pt-BR', opts).format(when))
    expect(a.format(when)).toContain('10:05')
  })

  it('keeps formatters apart by kind, locale and every option', () => {
    const utc = dateTimeFormat('en-US', { timeZone: 'UTC' })
    expect(dateTimeFormat('en-US', { timeZone: 'Asia/Tokyo' })).not.toBe(utc)
    expect(dateTimeFormat('pt-BR', { timeZone: 'UTC' })).not.toBe(utc)
    const brl = numberFormat('pt-BR', { style: 'currency', currency: 'BRL' })
    expect(numberFormat('pt-BR', { style: 'currency', currency: 'USD' })).not.toBe(brl)
    expect(brl.format(1234.5)).toBe(new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' }).format(1234.5))
    expect(listFormat('en-US', { type: 'conjunction' }).format(['a', 'b', 'c'])).toBe('a, b, and c')
    expect(relativeTimeFormat('en-US', { numeric: 'auto' }).format(1, 'day')).toBe('tomorrow')
    expect(displayNames('en-US', { type: 'currency' }).of('BRL')).toBe('Brazilian Real')
  })

  it('throws for an invalid time zone every time, caching nothing', () => {
    expect(() => dateTimeFormat('en-US', { timeZone: 'Not/AZone' })).toThrow(RangeError)
    expect(() => dateTimeFormat('en-US', { timeZone: 'Not/AZone' })).toThrow(RangeError)
  })

  it('stays bounded when keys keep changing (a cookie-chosen zone, say)', () => {
    const zones = Intl.supportedValuesOf('timeZone')
    const first = dateTimeFormat('en-US', { timeZone: zones[0] })
    expect(zones.length * 3).toBeGreaterThan(1000)
    for (const dateStyle of ['short', 'medium', 'long'] as const) for (const timeZone of zones) dateTimeFormat('en-GB', { timeZone, dateStyle })
    // after more than the cap of new keys the cache was cleared once: a new instance, same output
    const again = dateTimeFormat('en-US', { timeZone: zones[0] })
    expect(again).not.toBe(first)
    expect(again.format(0)).toBe(first.format(0))
  })
})
