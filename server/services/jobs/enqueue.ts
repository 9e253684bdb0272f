import { sql } from 'drizzle-orm'
import { ERROR_STATUS, type ErrorCode } from '#shared/errors'
import type { AcceptedJobDto, JobStage, JobStateDto, JobStatus, ProgressUnit } from '#shared/schemas/jobs'
import type { JobKind, JobMessage } from './message'
import { sendJob } from './queue'
import { finishJob, JOB_TABLE, waitForJob } from './record'

/** The job columns every job row has (backups and restores alike). */
export interface JobRow {
  status: string
  stage: string
  progressDone: number
  progressTotal: number
  progressUnit: string
  errorCode: string | null
  errorDetail: unknown
  cancelRequestedAt: string | null
  startedAt: string | null
  heartbeatAt: string | null
}

type Tx = Parameters<Parameters<ReturnType<typeof useDb>['transaction']>[0]>[0]

/** Seconds a caller is told to wait when the queue could not take the job. */
const QUEUE_RETRY_SECONDS = 5

/**
 * Registers a job (`insert` writes its row, queued, and returns its id) and puts it on the queue.
 * One job per user at a time: the check and the insert run under the user's row lock, so two
 * simultaneous requests cannot both pass (409 JOB_IN_PROGRESS). If the queue refuses the message,
 * the row is ended failed and the caller gets 503 with Retry-After: nothing waits for a message
 * that was never sent.
 */
export async function enqueueJob(kind: JobKind, userId: number, ip: string, insert: (tx: Tx) => Promise<string>): Promise<string> {
  let id: string
  try {
    id = await useDb().transaction(async (tx) => {
      await tx.execute(sql`SELECT id FROM users WHERE id = ${userId} FOR UPDATE`)
      const [active] = await tx.execute(sql`
        SELECT 1 AS busy FROM backups WHERE user_id = ${userId} AND status IN ('queued', 'running')
        UNION ALL SELECT 1 FROM restores WHERE user_id = ${userId} AND status IN ('queued', 'running') LIMIT 1`) as unknown as [unknown[]]
      if (active.length) throw new AppError('JOB_IN_PROGRESS')
      return insert(tx)
    }, { isolationLevel: 'read committed' })
  }
  catch (err) {
    throw err instanceof AppError ? err : databaseFailure(err)
  }
  // An address is at most 64 characters in the message (and the audit trail): a longer one (a
  // forwarded header) is cut, never a reason to lose the job.
  const message = { kind, id, userId, ip: ip.slice(0, 64) }
  // No queue (a single instance in the `both` role, NUXT_QUEUE_URL unset): it runs its jobs itself.
  if (!cofreConfig().queue.url) {
    runHere(message)
    return id
  }
  try {
    await sendJob(message)
  }
  catch (err) {
    logger.error({ err: serializeError(err), jobId: id, kind }, 'job queue refused the message')
    // A process that is its own worker runs the job itself: the user's backup does not depend on
    // the queue being up (a crash then ends it through recovery, as any job whose worker died).
    if (cofreConfig().role === 'both') {
      runHere(message)
      return id
    }
    // Nothing was queued: the row goes, so the answer's "nothing was changed" holds for the list too.
    await useDbHandle().promisePool.query(`DELETE FROM ?? WHERE id = ? AND status = 'queued'`, [JOB_TABLE[kind], id])
      .catch(e => logger.error({ err: serializeError(e), jobId: id }, 'could not remove the job the queue refused'))
    throw new AppError('SERVICE_BUSY', { retryAfterSeconds: QUEUE_RETRY_SECONDS })
  }
  return id
}

/**
 * How long a request waits for its job: the configured budget (NUXT_QUEUE_WAIT_BUDGET_MS), or not
 * at all when the client said it follows jobs itself (`Prefer: respond-async`, RFC 7240).
 */
export const waitBudget = (respondAsync: boolean) => (respondAsync ? 0 : cofreConfig().queue.waitBudgetMs)

/** Runs a job in this process, in the background, as one delivery (the request waits on its row as for any job). */
function runHere(message: JobMessage) {
  import('./worker').then(({ runDelivery }) => runDelivery(message)).catch(async (e) => {
    logger.error({ err: serializeError(e), jobId: message.id }, 'job run in this process could not start')
    await finishJob(message.kind, message.id, { status: 'failed', errorCode: 'SERVICE_BUSY', errorDetail: { retryAfterSeconds: QUEUE_RETRY_SECONDS } }).catch(() => {})
  })
}

/** Waits for the job up to `budgetMs` (default: the configured budget). */
export async function waitForFinish(kind: JobKind, id: string, budgetMs = cofreConfig().queue.waitBudgetMs): Promise<{ finished: boolean }> {
  let state
  try { state = await waitForJob(kind, id, budgetMs) }
  catch (err) { throw err instanceof AppError ? err : databaseFailure(err) }
  return { finished: !['queued', 'running'].includes(state.status) }
}

/** A finished job's failure as the API error the request would have answered had it run inline. */
export function jobError(row: Pick<JobRow, 'status' | 'errorCode' | 'errorDetail'>): AppError {
  if (row.status === 'cancelled') return new AppError('JOB_CANCELLED')
  const code = row.errorCode ?? 'JOB_INTERRUPTED'
  const detail = (typeof row.errorDetail === 'string' ? JSON.parse(row.errorDetail) : row.errorDetail) as Record<string, unknown> | null
  return code in ERROR_STATUS ? new AppError(code as ErrorCode, detail ?? undefined) : new AppError('JOB_INTERRUPTED')
}

/** Where a job is, as every job's API shows it. */
export function jobState(row: JobRow): JobStateDto {
  const detail = (typeof row.errorDetail === 'string' ? JSON.parse(row.errorDetail) : row.errorDetail) as { reason?: string } | null
  return {
    status: row.status as JobStatus,
    stage: row.stage as JobStage,
    progress: { done: row.progressDone, total: row.progressTotal, unit: row.progressUnit as ProgressUnit },
    cancel_requested: row.cancelRequestedAt !== null,
    started_at: fromSqlTimeOrNull(row.startedAt),
    heartbeat_at: fromSqlTimeOrNull(row.heartbeatAt),
    reason: detail?.reason ?? null,
  }
}

/** The 202 body's job part. */
export function acceptedState(row: JobRow): AcceptedJobDto {
  const { status, stage, progress } = jobState(row)
  return { status: status as JobStatus, stage, progress }
}
