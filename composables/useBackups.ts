import { BACKUPS_MAX_PAGE_SIZE, BACKUPS_PAGE_SIZE, type BackupPageDto, type CreatedBackupDto, type RestoreResultDto } from '#shared/schemas/backups'
import { BACKUP_INVALID_REASONS, type ApiErrorData } from '#shared/errors'

/**
 * The caller's backups and what can be done with them. The first page is fetched during SSR (it
 * is in the first HTML) but lazily on client navigation, so the page can show skeletons
 * meanwhile; `loadMore` appends the next page through the API's cursor.
 */
export function useBackups() {
  const api = useApi()
  // How many rows are on screen, so a refresh (after a create, restore or delete) brings back as
  // many from the top — up to one maximum page, beyond which "load more" is offered again.
  const shown = { rows: 0 }
  const { data, status, error, refresh } = useAsyncData('backups', () => {
    const limit = Math.min(BACKUPS_MAX_PAGE_SIZE, Math.max(BACKUPS_PAGE_SIZE, shown.rows))
    return api<BackupPageDto>('/api/backups', { query: limit === BACKUPS_PAGE_SIZE ? undefined : { limit } })
  }, { lazy: true })
  watch(() => data.value?.items.length ?? 0, (n) => { shown.rows = n }, { immediate: true })
  const loadingMore = ref(false)

  /** Appends the next page; rows already shown (moved by a refresh meanwhile) are not repeated. */
  async function loadMore(): Promise<void> {
    const cursor = data.value?.next_cursor
    if (!cursor || loadingMore.value) return
    loadingMore.value = true
    try {
      const next = await api<BackupPageDto>('/api/backups', { query: { cursor } })
      const items = data.value?.items ?? []
      const seen = new Set(items.map(b => b.backup_id))
      data.value = { items: [...items, ...next.items.filter(b => !seen.has(b.backup_id))], next_cursor: next.next_cursor }
    }
    finally { loadingMore.value = false }
  }

  /** After a failure the list may have changed too (a failed row, a safety backup taken). */
  async function refreshAfter(err: unknown): Promise<never> {
    if ((err as { statusCode?: number })?.statusCode !== 401) await refresh()
    throw err
  }

  async function create(): Promise<CreatedBackupDto> {
    let created: CreatedBackupDto
    try { created = await api<CreatedBackupDto>('/api/backup', { method: 'POST' }) }
    catch (err) { return refreshAfter(err) }
    // The new row goes on top at once; the refresh then brings the list in line with the server.
    const { urlDownload: _url, expiresAt: _exp, ...row } = created
    data.value = { items: [row, ...(data.value?.items ?? []).filter(b => b.backup_id !== row.backup_id)], next_cursor: data.value?.next_cursor ?? null }
    await refresh()
    return created
  }

  async function restore(backupId: string): Promise<RestoreResultDto> {
    let result: RestoreResultDto
    const banner = useRestoreBanner()
    banner.mark(true)
    try { result = await api<RestoreResultDto>('/api/restore', { method: 'POST', body: { backup_id: backupId } }) }
    catch (err) { return refreshAfter(err) }
    finally { banner.mark(false) }
    await refresh()
    return result
  }

  async function remove(backupId: string): Promise<void> {
    await api(`/api/backups/${backupId}`, { method: 'DELETE' })
    if (data.value) data.value = { ...data.value, items: data.value.items.filter(b => b.backup_id !== backupId) }
    await refresh()
  }

  /**
   * Downloads through a link issued now: the one from the list (or from creation) may have
   * expired. The browser follows it; S3 answers with Content-Disposition: attachment.
   */
  async function download(backupId: string): Promise<void> {
    const link = await api<CreatedBackupDto>(`/api/backups/${backupId}/download`)
    const a = document.createElement('a')
    a.href = link.urlDownload
    a.download = link.filename
    a.rel = 'noopener'
    document.body.appendChild(a)
    a.click()
    a.remove()
  }

  return {
    backups: computed(() => data.value?.items ?? []),
    loaded: computed(() => data.value !== undefined && data.value !== null),
    loading: computed(() => status.value === 'pending'),
    hasMore: computed(() => !!data.value?.next_cursor),
    loadingMore,
    loadMore,
    error,
    refresh,
    create,
    restore,
    remove,
    download,
  }
}

/** The BCP 47 tag Intl should use for the UI's locale. */
function useIntlLocale() {
  const { locale } = useI18n()
  return computed(() => (locale.value === 'en' ? 'en-US' : locale.value))
}

function validTimeZone(tz: string | null | undefined): string | null {
  if (!tz) return null
  try {
    dateTimeFormat('en-US', { timeZone: tz })
    return tz
  }
  catch { return null }
}

/**
 * The user's time zone. The server cannot know it, so the browser stores it in the `cofre_tz`
 * cookie after the first visit and SSR renders with it from then on; before that the server
 * renders UTC (and says so), and the browser switches to its own zone after hydration — the
 * value travels in the payload, so hydration always matches what the server rendered.
 */
export function useUserTimeZone() {
  const cookie = useCookie<string | null>('cofre_tz', { default: () => null, sameSite: 'lax', maxAge: 60 * 60 * 24 * 365 })
  const tz = useState('cofre-tz', () => validTimeZone(cookie.value) ?? 'UTC')
  onMounted(() => {
    const browser = validTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone)
    if (!browser) return
    if (tz.value !== browser) tz.value = browser
    if (cookie.value !== browser) cookie.value = browser
  })
  return tz
}

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

  function tableLabel(table: string): string {
    return te(`backups.tableNames.${table}`) ? t(`backups.tableNames.${table}`) : table
  }

  /** "2 accounts, 1 category and 50 transactions". */
  function contents(counts: Record<string, number> | null): string {
    if (!counts) return '—'
    const parts = SUMMARY_TABLES.filter(name => name in counts).map(name => t(`backups.tables.${name}`, { count: counts[name] }, counts[name]!))
    return listFormat(intlLocale.value, { style: 'long', type: 'conjunction' }).format(parts)
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

  return { timeZone, dateTime, time, size, integer, tableLabel, contents, duration, fromNow }
}

/** A failed operation, in the user's words. */
export interface BackupProblem {
  code: string
  title: string
  text: string
}

interface FetchFailure {
  statusCode?: number
  data?: { message?: string, data?: ApiErrorData }
  response?: { headers?: Headers }
}

/**
 * Turns an API error into what the user reads: the seed's outcomes (A1 storage, A2 invalid backup
 * with its reason, A3 database) and the job lock, rate limit, network and unexpected failures.
 * Returns null for 401: useApi is already taking the user to sign in.
 */
export function useBackupProblem() {
  const { t } = useI18n()
  const fmt = useBackupFormat()

  return (err: unknown): BackupProblem | null => {
    const e = err as FetchFailure
    if (e?.statusCode === 401) return null
    const data = e?.data?.data
    const code = data?.code ?? (e?.statusCode ? 'INTERNAL_ERROR' : 'NETWORK')
    switch (code) {
      case 'STORAGE_ERROR':
        return { code, title: t('backups.errors.storageTitle'), text: t('backups.errors.storage') }
      case 'BACKUP_INVALID': {
        const reason = data?.reason && (BACKUP_INVALID_REASONS as readonly string[]).includes(data.reason) ? data.reason : 'unknown'
        return { code, title: t('errors.BACKUP_INVALID'), text: `${t(`backups.reasons.${reason}`)} ${t('backups.errors.nothingChanged')}` }
      }
      case 'DATABASE_ERROR':
        return { code, title: t('backups.errors.databaseTitle'), text: t('backups.errors.database') }
      case 'JOB_IN_PROGRESS':
        return { code, title: t('backups.errors.busyTitle'), text: t('backups.errors.busy') }
      case 'RATE_LIMITED': {
        const header = Number(e.response?.headers?.get('retry-after'))
        const wait = data?.retryAfterSeconds ?? (Number.isFinite(header) && header > 0 ? header : 60)
        return { code, title: t('backups.errors.rateTitle'), text: t('backups.errors.rate', { when: fmt.fromNow(wait), time: fmt.time(new Date(Date.now() + wait * 1000)) }) }
      }
      case 'BACKUP_NOT_READY':
        return { code, title: t('errors.BACKUP_NOT_READY'), text: t('backups.errors.notReady') }
      case 'NOT_FOUND':
        return { code, title: t('backups.errors.notFoundTitle'), text: t('backups.errors.notFound') }
      case 'NETWORK':
        return { code, title: t('backups.errors.networkTitle'), text: t('backups.errors.network') }
      default:
        return { code, title: t('backups.errors.genericTitle'), text: e?.data?.message ?? t('errors.INTERNAL_ERROR') }
    }
  }
}

/** Seconds since start(), ticking while an operation runs (the API reports no finer progress). */
export function useElapsed() {
  const seconds = ref(0)
  let timer: ReturnType<typeof setInterval> | undefined
  function stop() {
    if (timer) clearInterval(timer)
    timer = undefined
  }
  function start() {
    stop()
    const started = Date.now()
    seconds.value = 0
    timer = setInterval(() => { seconds.value = Math.floor((Date.now() - started) / 1000) }, 250)
  }
  onBeforeUnmount(stop)
  return { seconds, start, stop }
}
