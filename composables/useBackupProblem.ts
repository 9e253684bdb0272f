import { BACKUP_INVALID_REASONS, type ApiErrorData } from '#shared/errors'

/** A failed operation, in the user's words. */
export interface BackupProblem {
  code: string
  title: string
  text: string
  /** RATE_LIMITED: when another attempt can succeed (epoch ms). */
  retryAt?: number
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
        // "Our team has been notified" only when the server says the notification went out.
        return { code, title: t('backups.errors.storageTitle'), text: t(data?.notified === true ? 'backups.errors.storage' : 'backups.errors.storageNotNotified') }
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
        const retryAt = Date.now() + wait * 1000
        return { code, title: t('backups.errors.rateTitle'), text: t('backups.errors.rate', { when: fmt.fromNow(wait), time: fmt.time(new Date(retryAt)) }), retryAt }
      }
      case 'BACKUP_NOT_READY':
        return { code, title: t('errors.BACKUP_NOT_READY'), text: t('backups.errors.notReady') }
      case 'NOT_FOUND':
        return { code, title: t('backups.errors.notFoundTitle'), text: t('backups.errors.notFound') }
      case 'NETWORK':
        return { code, title: t('backups.errors.networkTitle'), text: t('backups.errors.network') }
      default:
        return { code, title: t('backups.errors.genericTitle'), text: apiErrorMessage(err, t('errors.INTERNAL_ERROR')) }
    }
  }
}
