/**
 * Shared Intl formatters, for the app's components and the server's backup file names. Building
 * one costs far more than using it (the /backups page formats dozens of dates per render, and a
 * fresh DateTimeFormat per date was 3.5 % of the server's CPU under load; one per backup file name
 * in GET /api/backups was 2 %); they are immutable, so one per (kind, locale, options) serves
 * every render. Keys come from a finite set (two locales, IANA zones, ISO currencies), and the
 * cache is cleared if it ever grows past MAX anyway.
 */
const MAX = 1000
const cache = new Map<string, object>()

function cached<T extends object>(kind: string, locale: string, options: object, make: () => T): T {
  const key = `${kind}|${locale}|${JSON.stringify(options)}`
  let f = cache.get(key) as T | undefined
  if (!f) {
    f = make() // throws (RangeError) for an invalid zone or currency: nothing is cached then
    if (cache.size >= MAX) cache.clear()
    cache.set(key, f)
  }
  return f
}

export const dateTimeFormat = (locale: string, options: Intl.DateTimeFormatOptions = {}) =>
  cached('dt', locale, options, () => new Intl.DateTimeFormat(locale, options))
export const numberFormat = (locale: string, options: Intl.NumberFormatOptions = {}) =>
  cached('nf', locale, options, () => new Intl.NumberFormat(locale, options))
export const listFormat = (locale: string, options: Intl.ListFormatOptions = {}) =>
  cached('lf', locale, options, () => new Intl.ListFormat(locale, options))
export const relativeTimeFormat = (locale: string, options: Intl.RelativeTimeFormatOptions = {}) =>
  cached('rtf', locale, options, () => new Intl.RelativeTimeFormat(locale, options))
export const displayNames = (locale: string, options: Intl.DisplayNamesOptions) =>
  cached('dn', locale, options, () => new Intl.DisplayNames(locale, options))
