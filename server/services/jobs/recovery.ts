import type { RowDataPacket } from 'mysql2/promise'
import { ERROR_STATUS, type ErrorCode } from '#shared/errors'
import { audit } from '../audit'
import { endUnfinishedBackup, removeBackup } from '../backups'
import { withUserJobLock } from '../job-lock'
import { endRestoreWindow } from '../ledger/write-gate'
import { notify } from '../notifier'
import type { JobKind } from './message'
import { finishJob, JOB_TABLE, ownedBy } from './record'

/**
 * Ending jobs that will not run to their end on their own: a job whose attempts are used up, one
 * nobody has heard from, one whose run failed before it could record why, one cancelled while no
 * worker runs it. The row is ended by a guarded UPDATE — the one call that ends it records it
 * (and, for a failure on our side not yet published, publishes one SNS message) — and what the
 * job left is removed: a backup's partial upload or object (services/backups.ts endBackup: after
 * the row for a failure, before it for a cancel, within a 5 s budget); a restore's unfinished
 * safety backup (its transaction was rolled back by MySQL when its worker died) and its read-only
 * window, before the restore's row.
 */

interface OpenJob { userId: number, attempts: number, safetyBackupId?: string | null, backupId?: string }

/** The job if it is open (and, given an attempt, still that run's). */
async function openJob(kind: JobKind, id: string, attempt?: number): Promise<OpenJob | undefined> {
  const [rows] = await useDbHandle().promisePool.query<RowDataPacket[]>(
    `SELECT user_id AS userId, attempts${kind === 'restore' ? ', safety_backup_id AS safetyBackupId, backup_id AS backupId' : ''} FROM ?? WHERE id = ? AND status IN ('queued', 'running')${attempt !== undefined ? ` AND ${ownedBy(attempt).sql}` : ''}`,
    [JOB_TABLE[kind], id, ...(attempt !== undefined ? ownedBy(attempt).values : [])],
  )
  return rows[0] as OpenJob | undefined
}

/**
 * Ends an open job failed with `code`. True if this call ended it. Given the run's `attempt`
 * (runDelivery's own fallback), only while the job is still that run's: a run that lost its job
 * (its worker frozen past its lock session) leaves the attempt that owns it now alone.
 */
export async function endFailedJob(kind: JobKind, id: string, code: ErrorCode, why: string, detail: Record<string, unknown> | null = null, attempt?: number): Promise<boolean> {
  const job = await openJob(kind, id, attempt)
  if (!job) return false
  const end = { status: 'failed' as const, errorCode: code, errorDetail: detail, attempt }
  let ended: boolean
  if (kind === 'backup') ended = await endUnfinishedBackup(id, end)
  else {
    if (job.safetyBackupId) await endUnfinishedBackup(job.safetyBackupId)
    await endRestoreWindow(job.userId)
    ended = await finishJob(kind, id, end)
  }
  if (!ended) return false
  await audit({ userId: job.userId, action: kind === 'backup' ? 'backup.create' : 'backup.restore', targetId: kind === 'backup' ? id : job.backupId!, outcome: 'failure', detail: { code, why, attempts: job.attempts, jobId: id } })
  // A storage failure was published where it happened (its detail says `notified`): one message per failure.
  if (ERROR_STATUS[code] >= 500 && detail?.notified !== true) await notify(kind === 'backup' ? 'backup.failed' : 'restore.failed', { jobId: id, userId: job.userId, code, why, attempts: job.attempts })
  return true
}

/**
 * Ends an open job whose cancel was asked for and that no worker runs: nothing of it is left — no
 * object; for a restore, no safety backup (it never committed: a restore's row is completed in its
 * own transaction) and no read-only window. True if this call ended it.
 */
export async function endCancelledJob(kind: JobKind, id: string, ip: string | null = null, attempt?: number): Promise<boolean> {
  const job = await openJob(kind, id, attempt)
  if (!job) return false
  const end = { status: 'cancelled' as const, errorCode: 'JOB_CANCELLED', attempt }
  let ended: boolean
  if (kind === 'backup') ended = await endUnfinishedBackup(id, end)
  else {
    if (job.safetyBackupId) await removeBackup(job.userId, job.safetyBackupId)
    await endRestoreWindow(job.userId)
    ended = await finishJob(kind, id, end)
  }
  if (ended) await audit({ userId: job.userId, action: kind === 'backup' ? 'backup.cancel' : 'backup.restore.cancel', targetId: kind === 'backup' ? id : job.backupId!, detail: { jobId: id }, ip })
  return ended
}

/**
 * After a cancel was asked for: a job no worker runs (its user's lock free — a worker that died
 * mid-job, its message not yet delivered again) is ended cancelled now; a running one stops itself.
 */
export async function cancelIfAbandoned(kind: JobKind, id: string, userId: number, ip: string | null): Promise<void> {
  await withUserJobLock(userId, () => endCancelledJob(kind, id, ip)).catch((err) => {
    if (!(err instanceof AppError && (err.code === 'JOB_IN_PROGRESS' || err.code === 'SERVICE_BUSY'))) throw err
  })
}

/** When this process started: with no queue, an open job older than that has no one to run it. */
const STARTED_AT = toSqlTime()
/** A queued job not started within this long is ended (its message lost or dead-lettered). */
const QUEUED_FOR_AT_MOST_SECONDS = 24 * 3600

/**
 * Jobs nobody will finish, ended as failed (JOB_INTERRUPTED), each under its user's job lock (a
 * job whose lock is held somewhere is alive, or about to be run, and is left alone):
 *  - running with no heartbeat for NUXT_JOBS_STALE_AFTER_SECONDS (its worker died and no
 *    delivery took it over) — by heartbeat age, so it works for workers on any machine;
 *  - queued for more than a day (the queue no longer has its message);
 *  - without a queue (one instance running its own jobs): open since before this process started.
 * A queued job is never ended for merely waiting: workers may be busy or being deployed.
 */
export async function recoverStaleJobs(): Promise<number> {
  const staleAfter = cofreConfig().jobs.staleAfterSeconds
  const noQueue = !cofreConfig().queue.url
  const stale = `(status = 'running' AND COALESCE(heartbeat_at, created_at) < CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND)
    OR (status = 'queued' AND created_at < CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND)
    ${noQueue ? 'OR (status IN (\'queued\', \'running\') AND created_at < ?)' : ''}`
  const params = [staleAfter, QUEUED_FOR_AT_MOST_SECONDS, ...(noQueue ? [STARTED_AT] : [])]
  let recovered = 0
  for (const kind of ['backup', 'restore'] as const) {
    const [rows] = await useDbHandle().promisePool.query<RowDataPacket[]>(
      `SELECT id, user_id AS userId FROM ?? WHERE ${stale} LIMIT 500`,
      [JOB_TABLE[kind], ...params],
    )
    for (const row of rows as { id: string, userId: number }[]) {
      const ended = await withUserJobLock(row.userId, async () => {
        // Under the lock, again: a worker may have claimed it (and refreshed its heartbeat) meanwhile.
        const [still] = await useDbHandle().promisePool.query<RowDataPacket[]>(`SELECT 1 FROM ?? WHERE id = ? AND (${stale})`, [JOB_TABLE[kind], row.id, ...params])
        return still.length ? endFailedJob(kind, row.id, 'JOB_INTERRUPTED', 'no heartbeat') : false
      }).catch((err) => {
        if (!(err instanceof AppError && (err.code === 'JOB_IN_PROGRESS' || err.code === 'SERVICE_BUSY'))) throw err
        return false
      })
      if (ended) recovered++
    }
  }
  return recovered
}
