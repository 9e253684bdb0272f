import { z } from 'zod'
import { money } from '#shared/schemas/ledger'

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

  return { formatMoney, formatDate, currencyOptions }
}

/** A typed amount: a decimal comma is accepted ("12,50" as typed in Brazil) and sent as a dot. */
export const toDecimalString = (value: unknown) => (typeof value === 'string' ? value.trim().replace(',', '.') : value)
export const moneyInput = z.preprocess(toDecimalString, money)
