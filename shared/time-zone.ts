/**
 * What each spelling seen so far resolved to (null: not a zone). Building a DateTimeFormat to ask
 * costs ≈ 47 µs, on every request that carries the zone cookie; a lookup ≈ 0.03 µs. Cleared when
 * full, so untrusted spellings cannot grow it without bound.
 */
const resolved = new Map<string, string | null>()
const MAX_SPELLINGS = 512

/**
 * The IANA zone if this runtime knows it (a cookie or a query value is untrusted), else null; in
 * its canonical spelling ("utc" → "UTC"), so that one zone is one key wherever formatters are
 * cached (shared/intl.ts) and every spelling names files the same.
 */
export function validTimeZone(tz: string | null | undefined): string | null {
  if (!tz || tz.length > 64) return null
  let zone = resolved.get(tz)
  if (zone !== undefined) return zone
  try { zone = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone }
  catch { zone = null }
  if (resolved.size >= MAX_SPELLINGS) resolved.clear()
  resolved.set(tz, zone)
  return zone
}
