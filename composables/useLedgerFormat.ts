import { z } from 'zod'
import { money } from '#shared/schemas/ledger'
import { formatAmountInput, parseLocaleAmount, type AmountLocale } from '#shared/money-input'

/**
 * Display helpers for the ledger pages, in the UI's language. Money stays a decimal string:
 * Intl.NumberFormat formats a numeric string exactly (no float round trip).
 */
export function useLedgerFormat() {
  const intlLocale = useIntlLocale()

  function formatMoney(amount: string, currency: string): string {
    try {
      return numberFormat(intlLocale.value, { style: 'currency', currency }).format(amount as unknown as number)
    }
    catch {
      return `${amount} ${currency}`
    }
  }

  /** A count in the locale's digits: "200.000" in pt-BR, "200,000" in English. */
  function formatCount(n: number): string {
    return numberFormat(intlLocale.value, { maximumFractionDigits: 0 }).format(n)
  }

  /** 'YYYY-MM-DD' as a local date string, without a time-zone shift. */
  function formatDate(date: string): string {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number]
    return dateTimeFormat(intlLocale.value, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)))
  }

  /** ISO 4217 codes the runtime knows, labelled "BRL — Brazilian Real". */
  const currencyOptions = computed(() => {
    const codes = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('currency') : ['BRL', 'EUR', 'USD']
    const names = displayNames(intlLocale.value, { type: 'currency' })
    return codes.map(code => ({ value: code, title: `${code} — ${names.of(code) ?? code}` }))
  })

  return { formatMoney, formatDate, formatCount, currencyOptions }
}

/**
 * The amount fields' rule and parser in the UI's language: "1.234,56" in pt-BR, "1,234.56" in
 * English (see shared/money-input.ts), validated by the API's own `money` schema afterwards.
 */
export function useMoneyInput() {
  const { locale } = useI18n()
  const amountLocale = computed<AmountLocale>(() => (locale.value === 'en' ? 'en' : 'pt-BR'))
  /** The typed text as the API's decimal string, or the text itself when it cannot be read (the API then says why). */
  const toDecimalString = (value: unknown) => (typeof value === 'string' ? (parseLocaleAmount(value.trim(), amountLocale.value) ?? value.trim()) : value)
  const schema = computed(() => z.preprocess(toDecimalString, money))
  const forInput = (decimal: string) => formatAmountInput(decimal, amountLocale.value)
  return { toDecimalString, schema, forInput }
}
