import type { BackupDto } from '#shared/schemas/backups'

const SIZE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const
/** Tables the one-line summary names, in this order; the details list every table. */
const SUMMARY_TABLES = ['accounts', 'categories', 'transactions']

/** Dates, sizes and contents of backups in the UI's language and the user's time zone. */
export function useBackupFormat() {
  const { t, te } = useI18n()
  const intlLocale = useIntlLocale()
  const timeZone = useUserTimeZone()

  function dateTime(iso: string, withSeconds = false): string {
    return dateTimeFormat(intlLocale.value, { dateStyle: 'medium', timeStyle: withSeconds ? 'medium' : 'short', timeZone: timeZone.value }).format(new Date(iso))
  }

  function time(date: Date): string {
    return dateTimeFormat(intlLocale.value, { timeStyle: 'short', timeZone: timeZone.value }).format(date)
  }

  /** SI units with their symbols (B, kB, MB…); only the number is localized ("1,2 kB"). */
  function size(bytes: number | null): string {
    if (bytes === null) return '—'
    let value = bytes
    let unit = 0
    while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
      value /= 1000
      unit++
    }
    return `${numberFormat(intlLocale.value, { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value)} ${SIZE_UNITS[unit]}`
  }

  /** "1.234" in pt-BR, "1,234" in English. */
  function integer(n: number): string {
    return numberFormat(intlLocale.value, { maximumFractionDigits: 0 }).format(n)
  }

  /** 0.45 → "45%" / "45 %", as the locale writes it. */
  function percent(fraction: number): string {
    return numberFormat(intlLocale.value, { style: 'percent', maximumFractionDigits: 0 }).format(fraction)
  }

  function tableLabel(table: string): string {
    return te(`backups.tableNames.${table}`) ? t(`backups.tableNames.${table}`) : table
  }

  /** "2 accounts, 1 category and 50 transactions". */
  function contents(counts: Record<string, number> | null): string {
    if (!counts) return '—'
    // The number in the locale's format ("200.000 transações"); the plural form from the number itself.
    const parts = SUMMARY_TABLES.filter(name => name in counts).map(name => t(`backups.tables.${name}`, { count: integer(counts[name]!) }, counts[name]!))
    return listFormat(intlLocale.value, { style: 'long', type: 'conjunction' }).format(parts)
  }

  /**
   * How a backup is named to a person (buttons' accessible names, dialogs): its date to the second
   * and, if the user gave it one, its note — so two backups made in the same minute differ.
   */
  function name(b: Pick<BackupDto, 'created_at' | 'note'>): string {
    const date = dateTime(b.created_at, true)
    return b.note ? `${date} — “${b.note}”` : date
  }

  /** "1:05" */
  function duration(seconds: number): string {
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
  }

  /** "in 59 minutes" */
  function fromNow(seconds: number): string {
    const rtf = relativeTimeFormat(intlLocale.value, { numeric: 'auto' })
    if (seconds <= 90) return rtf.format(seconds, 'second')
    if (seconds <= 90 * 60) return rtf.format(Math.ceil(seconds / 60), 'minute')
    return rtf.format(Math.ceil(seconds / 3600), 'hour')
  }

  return { timeZone, dateTime, time, size, integer, percent, tableLabel, contents, name, duration, fromNow }
}
