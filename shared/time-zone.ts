/**
 * The IANA zone if this runtime knows it (a cookie or a query value is untrusted), else null; in
 * its canonical spelling ("utc" → "UTC"), so that one zone is one key wherever formatters are
 * cached (shared/intl.ts) and every spelling names files the same.
 */
export function validTimeZone(tz: string | null | undefined): string | null {
  if (!tz || tz.length > 64) return null
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone
  }
  catch { return null }
}
