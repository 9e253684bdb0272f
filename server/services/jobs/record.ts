import { EventEmitter } from 'node:events'
import { hostname } from 'node:os'
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise'
import type { JobStage } from '#shared/schemas/jobs'
import type { ProgressEvent } from '../../engine/progress'
import type { HeldLock } from '../job-lock'
import type { JobKind } from './message'

/**
 * A job's row (a backup's in `backups`, a restore's in `restores`) is the one source of truth: the
 * queue only carries "run job <id>". These are the statements every job row goes through, the same
 * for both tables, each guarded by the status it expects so two workers can never both finish one
 * job:   queued ─claim→ running ─finish→ completed | failed | cancelled
 */
export const JOB_TABLE: Record<JobKind, 'backups' | 'restores'> = { backup: 'backups', restore: 'restores' }

/** Who runs a job: shown on its row, so an operator can find the process. */
export const WORKER_ID = `${hostname()}:${process.pid}`

const pool = () => useDbHandle().promisePool

async function run(sqlText: string, params: unknown[]): Promise<number> {
  const [res] = await pool().query<ResultSetHeader>(sqlText, params)
  return res.affectedRows
}

/**
 * Takes a queued job, or a running one whose worker died (the caller holds the user's job lock, so
 * no live worker runs it): running, one more attempt, this worker's id. Returns the attempt's
 * number — with the worker id, the fence every later write of this run is guarded by, so a run
 * that lost the job (frozen past the visibility timeout, then resumed) can change nothing — or
 * null when the job is finished or cancelled: the delivery has nothing to run.
 */
export async function claimJob(kind: JobKind, id: string): Promise<number | null> {
  const claimed = await run(
    `UPDATE ?? SET status = 'running', attempts = attempts + 1, worker_id = ?, started_at = COALESCE(started_at, CURRENT_TIMESTAMP(3)),
       heartbeat_at = CURRENT_TIMESTAMP(3), stage = 'queued', progress_done = 0, progress_total = 0
     WHERE id = ? AND status IN ('queued', 'running') AND cancel_requested_at IS NULL`,
    [JOB_TABLE[kind], WORKER_ID, id],
  )
  if (claimed !== 1) return null
  const [rows] = await pool().query<RowDataPacket[]>('SELECT attempts FROM ?? WHERE id = ?', [JOB_TABLE[kind], id])
  return Number(rows[0]?.attempts)
}

/** What a delivery finds: the job's owner and whether it is open, cancelled, or gone. */
export async function jobRow(kind: JobKind, id: string): Promise<{ userId: number, open: boolean, cancelRequested: boolean } | null> {
  const [rows] = await pool().query<RowDataPacket[]>('SELECT user_id AS userId, status, cancel_requested_at AS cancelRequestedAt FROM ?? WHERE id = ?', [JOB_TABLE[kind], id])
  const r = rows[0]
  return r ? { userId: Number(r.userId), open: r.status === 'queued' || r.status === 'running', cancelRequested: r.cancelRequestedAt !== null } : null
}

/** The SQL condition that a row is still this run's (worker and attempt), with its values. */
export const ownedBy = (attempt: number) => ({ sql: 'worker_id = ? AND attempts = ?', values: [WORKER_ID, attempt] as unknown[] })

/**
 * Whether another run holds the job now: it is open and not this run's. This run lost it (its
 * worker froze past its lock session, and another attempt took the job over).
 */
export async function takenOver(kind: JobKind, id: string, attempt: number): Promise<boolean> {
  const owned = ownedBy(attempt)
  const [rows] = await pool().query<RowDataPacket[]>(`SELECT 1 FROM ?? WHERE id = ? AND status IN ('queued', 'running') AND NOT (${owned.sql})`, [JOB_TABLE[kind], id, ...owned.values])
  return rows.length > 0
}

export interface JobEnd {
  status: 'completed' | 'failed' | 'cancelled'
  errorCode?: string | null
  errorDetail?: Record<string, unknown> | null
  /**
   * A completed job's rows (a backup's rows written, a restore's rows restored): its progress then
   * reads rows/rows (ignored for any other end). Without it, completing copies the last persisted total into done — which is
   * 0/0 for a job that finished before any progress write (they are throttled).
   */
  rows?: number
  /** Other columns of the row to set in the same statement (e.g. a backup's size and digest). */
  set?: Record<string, unknown>
  /** Only if no cancel was asked for (a backup that finished its upload as the user cancelled is cancelled). */
  unlessCancelled?: boolean
  /** Only if the row is still this run's (the attempt claimJob returned). */
  attempt?: number
}

/**
 * Ends a job that is not finished yet. True only for the one call that ended it, so whatever must
 * happen once per job (an SNS message, an audit line) happens once, however many workers or
 * deliveries race for it.
 */
export async function finishJob(kind: JobKind, id: string, end: JobEnd): Promise<boolean> {
  const extra = Object.entries(end.set ?? {})
  const rows = end.status === 'completed' ? end.rows : undefined
  const ended = (await run(
    `UPDATE ?? SET status = ?, stage = 'finished', ${rows === undefined ? 'progress_done = IF(? = \'completed\', progress_total, progress_done)' : 'progress_done = ?, progress_total = ?, progress_unit = \'rows\''}, error_code = ?, error_detail = ?, completed_at = CURRENT_TIMESTAMP(3)${extra.map(() => ', ?? = ?').join('')}
     WHERE id = ? AND status IN ('queued', 'running')${end.unlessCancelled ? ' AND cancel_requested_at IS NULL' : ''}${end.attempt !== undefined ? ` AND ${ownedBy(end.attempt).sql}` : ''}`,
    [JOB_TABLE[kind], end.status, ...(rows === undefined ? [end.status] : [rows, rows]), end.errorCode ?? null, end.errorDetail ? JSON.stringify(end.errorDetail) : null, ...extra.flat(), id, ...(end.attempt !== undefined ? ownedBy(end.attempt).values : [])],
  )) === 1
  if (ended) jobEvents.emit(id)
  return ended
}

/**
 * Asks a job to stop. Once asked, no worker can claim it (claimJob); a queued job is cancelled at
 * once, a running one stops at its next progress point (JobRun) and ends itself.
 */
export async function requestCancel(kind: JobKind, id: string, userId: number): Promise<void> {
  const table = JOB_TABLE[kind]
  await run(`UPDATE ?? SET cancel_requested_at = COALESCE(cancel_requested_at, CURRENT_TIMESTAMP(3)) WHERE id = ? AND user_id = ? AND status IN ('queued', 'running')`, [table, id, userId])
  const cancelled = await run(`UPDATE ?? SET status = 'cancelled', stage = 'finished', error_code = 'JOB_CANCELLED', completed_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND user_id = ? AND status = 'queued'`, [table, id, userId])
  if (cancelled) jobEvents.emit(id)
}

/** Finished jobs of this process, by id: a request waiting for its job wakes at once. */
const jobEvents = new EventEmitter().setMaxListeners(0)
/** Tells requests in this process waiting for the job that it ended (when it ended some other way than finishJob). */
export const announceFinished = (id: string) => { jobEvents.emit(id) }

export interface JobState { status: string, stage: JobStage }

/**
 * Waits until the job is finished or `budgetMs` has passed; returns its status then. Polls the
 * row (another process may run it), and wakes at once when this process finishes it.
 */
export async function waitForJob(kind: JobKind, id: string, budgetMs: number): Promise<JobState> {
  const deadline = Date.now() + budgetMs
  let interval = 10
  for (;;) {
    const [rows] = await pool().query<RowDataPacket[]>('SELECT status, stage FROM ?? WHERE id = ?', [JOB_TABLE[kind], id])
    const state = rows[0] as JobState | undefined
    if (!state) throw new AppError('NOT_FOUND')
    const left = deadline - Date.now()
    if (!['queued', 'running'].includes(state.status) || left <= 0) return state
    await new Promise<void>((resolve) => {
      const done = () => { clearTimeout(timer); resolve() }
      const timer = setTimeout(() => { jobEvents.off(id, done); resolve() }, Math.min(interval, left))
      jobEvents.once(id, done)
    })
    interval = Math.min(interval * 2, 250)
  }
}

/** Cancels what a job is doing: the signal's reason. */
export class JobCancelled extends Error {
  constructor() { super('job cancelled') }
}

/** Progress is written at most this often per job (and the heartbeat at least this often: HEARTBEAT_MS). */
const PROGRESS_WRITE_MS = 250
const HEARTBEAT_MS = 1000

/**
 * A running job's link to its row: persists its stage and progress (at most a few times a
 * second), refreshes its heartbeat every second, and aborts `signal` when the row says the job was
 * cancelled or is no longer this worker's (ended by recovery). One UPDATE does all three.
 */
export class JobRun {
  private readonly controller = new AbortController()
  readonly signal = this.controller.signal
  private latest: { stage: JobStage, done: number, total: number, unit: string } | undefined
  private lastWrite = 0
  private writing: Promise<void> | undefined
  private readonly timer: NodeJS.Timeout

  /** `lock`: the user's job lock the run holds (a restore commits only while it still holds it). */
  constructor(private readonly kind: JobKind, private readonly id: string, readonly attempt: number, readonly lock?: HeldLock) {
    this.timer = setInterval(() => this.flush(), HEARTBEAT_MS)
    this.timer.unref()
  }

  /** An engine stage's progress event (OnProgress), its stage named as the job's. */
  readonly listen = (e: ProgressEvent) => this.report(e.stage as JobStage, e)

  /** Progress under a stage name of the job's own (a restore's safety backup reads rows too). */
  report(stage: JobStage, e: ProgressEvent) {
    this.latest = { stage, done: Math.min(e.done, e.total || e.done), total: e.total, unit: e.unit }
    if (performance.now() - this.lastWrite >= PROGRESS_WRITE_MS) this.flush()
  }

  /** Enters a stage the engine does not report (e.g. the safety backup before its first row). */
  stage(stage: JobStage) {
    this.latest = { stage, done: 0, total: 0, unit: 'rows' }
    this.flush()
  }

  private flush() {
    if (this.writing) return
    this.lastWrite = performance.now()
    this.writing = this.write().finally(() => { this.writing = undefined })
  }

  private async write() {
    const p = this.latest
    try {
      const matched = await run(
        `UPDATE ?? SET heartbeat_at = CURRENT_TIMESTAMP(3)${p ? ', stage = ?, progress_done = ?, progress_total = ?, progress_unit = ?' : ''}
         WHERE id = ? AND status = 'running' AND ${ownedBy(this.attempt).sql} AND cancel_requested_at IS NULL`,
        [JOB_TABLE[this.kind], ...(p ? [p.stage, p.done, p.total, p.unit] : []), this.id, ...ownedBy(this.attempt).values],
      )
      if (matched === 0 && !this.signal.aborted) this.controller.abort(new JobCancelled())
    }
    catch (err) {
      // A missed heartbeat is not fatal (the next one comes in a second); the job's own statements report real failures.
      logger.warn({ err: serializeError(err), jobId: this.id }, 'job progress not saved')
    }
  }

  /** Stops the heartbeat, after the last progress write. */
  async close() {
    clearInterval(this.timer)
    await this.writing
  }
}
