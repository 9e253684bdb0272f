// The app's shared Intl formatters (auto-imported in components); they live in shared/ because the
// server formats with them too (backup file names).
export { dateTimeFormat, displayNames, listFormat, numberFormat, relativeTimeFormat } from '#shared/intl'
