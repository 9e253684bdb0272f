/**
 * Money as people type it: "1.234,56" in Brazil, "1,234.56" in English, with or without the
 * thousands separators. Turned into the API's decimal string ("1234.56") by text rules only —
 * never through a float — so what is stored is exactly what was typed.
 */
export type AmountLocale = 'pt-BR' | 'en'
const SEPARATORS: Record<AmountLocale, { decimal: string, group: string }> = {
  'pt-BR': { decimal: ',', group: '.' },
  'en': { decimal: '.', group: ',' },
}

const escape = (c: string) => `\\${c}`

/**
 * "1.234,56" (pt-BR) → "1234.56"; "-12,5" → "-12.5"; "1.234" (pt-BR) → "1234". The locale's
 * decimal separator always means decimals; its group separator means thousands only in groups of
 * three ("1.234.567"); otherwise, once and before one or two digits, it is read as the decimal
 * point of the other convention ("12.50" typed in pt-BR is 12.50, as the person meant).
 * Returns null for anything else (the caller reports the field as invalid).
 */
export function parseLocaleAmount(input: string, locale: AmountLocale): string | null {
  const { decimal, group } = SEPARATORS[locale]
  const s = input.replace(/[\s\u00A0\u202F]/g, '').replace(/^\u2212/, '-')
  const m = /^(-?)(.+)$/.exec(s)
  if (!m) return null
  const sign = m[1]!
  const body = m[2]!
  const grouped = new RegExp(`^\\d{1,3}(${escape(group)}\\d{3})+$`)
  const plain = /^\d+$/
  const integer = (part: string) => (plain.test(part) ? part : grouped.test(part) ? part.split(group).join('') : null)

  if (body.includes(decimal)) {
    const at = body.lastIndexOf(decimal)
    const int = integer(body.slice(0, at) || '0')
    const frac = body.slice(at + 1)
    return int !== null && /^\d{1,2}$/.test(frac) ? `${sign}${int}.${frac}` : null
  }
  const int = integer(body)
  if (int !== null) return `${sign}${int}`
  const other = new RegExp(`^(\\d+)${escape(group)}(\\d{1,2})$`).exec(body)
  return other ? `${sign}${other[1]}.${other[2]}` : null
}

/** A stored decimal ("-1234.50") as the field shows it for editing in the locale ("-1234,50"). */
export function formatAmountInput(decimalString: string, locale: AmountLocale): string {
  return decimalString.replace('.', SEPARATORS[locale].decimal)
}
