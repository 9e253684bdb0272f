/** The IANA zone if this runtime knows it (a cookie or a query value is untrusted), else null. */
export function validTimeZone(tz: string | null | undefined): string | null {
  if (!tz || tz.length > 64) return null
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return tz
  }
  catch { return null }
}
