import { describe, expect, it } from 'vitest'
import { money } from '../../../shared/schemas/ledger'
import { formatAmountInput, parseLocaleAmount } from '../../../shared/money-input'

// Money as people type it in each language, turned into the API's exact decimal string.
describe('parseLocaleAmount', () => {
  it.each([
    ['1.234,56', '1234.56'], ['1234,56', '1234.56'], ['-12,5', '-12.5'], ['1.234', '1234'], ['1.234.567,89', '1234567.89'],
    ['12.50', '12.50'], ['0,01', '0.01'], ['R$ 1.234,56'.replace('R$ ', ''), '1234.56'], ['1 234,56', '1234.56'], ['−7,00', '-7.00'],
  ])('pt-BR: %s → %s', (typed, decimal) => {
    expect(parseLocaleAmount(typed, 'pt-BR')).toBe(decimal)
  })

  it.each([
    ['1,234.56', '1234.56'], ['1234.56', '1234.56'], ['-12.5', '-12.5'], ['1,234', '1234'], ['1,234,567.89', '1234567.89'], ['1500,00', '1500.00'], ['-12,5', '-12.5'],
  ])('en: %s → %s', (typed, decimal) => {
    expect(parseLocaleAmount(typed, 'en')).toBe(decimal)
  })

  it.each([['1.23.4,5'], ['12,345'], ['abc'], ['1,2,3'], ['1.234,567'], [''], ['-'], ['1e3'], ['12,3.4']])('pt-BR refuses %s', (typed) => {
    expect(parseLocaleAmount(typed, 'pt-BR')).toBeNull()
  })

  it('stays exact beyond what a float holds, and the API schema accepts the result', () => {
    expect(parseLocaleAmount('999.999.999.999,99', 'pt-BR')).toBe('999999999999.99')
    expect(money.parse(parseLocaleAmount('999.999.999.999,99', 'pt-BR'))).toBe('999999999999.99')
    expect(money.parse(parseLocaleAmount('1.234,5', 'pt-BR'))).toBe('1234.50')
  })

  it('shows a stored amount for editing in the locale', () => {
    expect(formatAmountInput('1234.50', 'pt-BR')).toBe('1234,50')
    expect(formatAmountInput('1234.50', 'en')).toBe('1234.50')
    expect(parseLocaleAmount(formatAmountInput('-1234.50', 'pt-BR'), 'pt-BR')).toBe('-1234.50')
  })
})
