import { randomUUID } from 'node:crypto'
import { ERROR_STATUS } from '#shared/errors'
import { and, asc, eq, gte, inArray } from 'drizzle-orm'
import type { AcceptedRestoreDto, RestoreResultDto } from '#shared/schemas/backups'
import type { JobStage, RestoreDto } from '#shared/schemas/jobs'
import { auditLog, restores, type Restore } from '../db/schema'
import { USER_DATA_TABLES } from '../db/registry'
import { BackupInvalidError, DatabaseError, StorageError } from '../engine/errors'
import { fanOut, StageClock, type ProgressEvent } from '../engine/progress'
import { apply, CommitRefused } from '../engine/restore/apply'
import { prepare, type PreparedBackup } from '../engine/restore/prepare'
import { SnapshotDiff } from '../engine/restore/snapshot-diff'
import { reportStages } from '../engine/stages'
import { audit, auditStatement } from './audit'
import { backupObjectKey, checkStorageQuota, checkWindow, endUnfinishedBackup, getOwnedBackup, invalidReason, markInvalid, markRestoredStatement, runBackup, storageFailure, windowStart } from './backups'
import { acceptedState, enqueueJob, jobError, jobState, waitForFinish } from './jobs/enqueue'
import { announceFinished, finishJob, jobRow, ownedBy, requestCancel, takenOver, type JobRun } from './jobs/record'
import { cancelIfAbandoned, endCancelledJob } from './jobs/recovery'
import { beginRestoreWindow, endRestoreWindow } from './ledger/write-gate'
import { notify } from './notifier'

export type RestoreOutcome = Omit<RestoreResultDto, 'message'>

/**
 * Restores per user per window, counted from the audit trail (every restore that got past the
 * job lock is recorded there, whatever its outcome): each one downloads and validates a file and
 * most write a full safety backup, so they are limited on their own, apart from manual backups.
 */
async function checkRestoreRate(userId: number) {
  const { rateLimit, rateWindowSeconds } = cofreConfig().restores
  let recent: { createdAt: string }[]
  try {
    recent = await useDb().select({ createdAt: auditLog.createdAt }).from(auditLog)
      // A cancelled restore downloaded and validated its file (and maybe took its safety backup): it counts too.
      .where(and(eq(auditLog.userId, userId), inArray(auditLog.action, ['backup.restore', 'backup.restore.cancel']), gte(auditLog.createdAt, windowStart(rateWindowSeconds))))
      .orderBy(asc(auditLog.createdAt))
  }
  catch (err) { throw databaseFailure(err) }
  checkWindow(recent.map(r => r.createdAt), rateLimit, rateWindowSeconds)
}

/**
 * POST /api/restore: the backup must be one of the caller's completed ones; rate limit and quota
 * (the restore makes a safety backup); then the job is queued (one job per user at a time) and
 * awaited for the wait budget: finished in time, the answer is today's (the outcome, or the
 * job's error: 422 BACKUP_INVALID, 500 STORAGE_ERROR…); otherwise 202 with where the job is.
 */
export async function requestRestore(userId: number, backupId: string, ip: string, budgetMs: number): Promise<{ done: RestoreOutcome } | { accepted: AcceptedRestoreDto }> {
  const row = await getOwnedBackup(userId, backupId)
  // Already proven unusable: the same answer as the validation that found it, without repeating it.
  if (row.status === 'invalid') throw new AppError('BACKUP_INVALID', { reason: invalidReason(row.errorCode) })
  if (row.status !== 'completed' || !row.sha256 || row.sizeBytes === null) throw new AppError('BACKUP_NOT_READY')
  await checkRestoreRate(userId)
  await checkStorageQuota(userId)
  const id = await enqueueJob('restore', userId, ip, async (tx) => {
    const restoreId = randomUUID()
    await tx.insert(restores).values({ id: restoreId, userId, backupId })
    return restoreId
  })
  const state = await waitForFinish('restore', id, budgetMs)
  const job = await getRestoreRow(userId, id)
  if (job.status === 'completed') return { done: outcomeOf(job) }
  if (state.finished) throw jobError(job)
  return { accepted: { restore_id: id, backup_id: backupId, ...acceptedState(job) } }
}

const outcomeOf = (job: Restore): RestoreOutcome => ({ backup_id: job.backupId, safety_backup_id: job.safetyBackupId!, restored: (typeof job.restored === 'string' ? JSON.parse(job.restored) : job.restored) ?? {} })

async function getRestoreRow(userId: number, id: string): Promise<Restore> {
  let job: Restore | undefined
  try { [job] = await useDb().select().from(restores).where(and(eq(restores.id, id), eq(restores.userId, userId))) }
  catch (err) { throw databaseFailure(err) }
  if (!job) throw new AppError('NOT_FOUND')
  return job
}

/** GET /api/restores/:id (the caller's only; 404 for anyone else's). */
export async function getRestore(userId: number, id: string): Promise<RestoreDto> {
  const job = await getRestoreRow(userId, id)
  return {
    restore_id: job.id,
    backup_id: job.backupId,
    safety_backup_id: job.safetyBackupId,
    error_code: job.errorCode,
    error_detail: (typeof job.errorDetail === 'string' ? JSON.parse(job.errorDetail) : job.errorDetail) ?? null,
    restored: job.status === 'completed' ? outcomeOf(job).restored : null,
    created_at: fromSqlTime(job.createdAt),
    completed_at: fromSqlTimeOrNull(job.completedAt),
    ...jobState(job),
  }
}

/**
 * POST /api/restores/:id/cancel — stops a queued or running restore of the caller's, up to the
 * moment its transaction commits: the transaction rolls back and its safety backup is removed, so
 * the data and the backup list are as before. A restore that committed first cannot be (409).
 */
export async function cancelRestore(userId: number, id: string, ip: string): Promise<RestoreDto> {
  const job = await getRestoreRow(userId, id)
  if (!['queued', 'running'].includes(job.status)) throw new AppError('JOB_NOT_CANCELLABLE')
  try {
    await requestCancel('restore', id, userId)
    await cancelIfAbandoned('restore', id, userId, ip)
  }
  catch (err) { throw err instanceof AppError ? err : databaseFailure(err) }
  await waitForFinish('restore', id)
  const dto = await getRestore(userId, id)
  if (dto.status === 'completed') throw new AppError('JOB_NOT_CANCELLABLE')
  return dto
}

/** The caller's restore still queued or running, if any (a reloaded screen picks it up again). */
export async function activeRestore(userId: number): Promise<RestoreDto | null> {
  let job: Pick<Restore, 'id'> | undefined
  try {
    [job] = await useDb().select({ id: restores.id }).from(restores)
      .where(and(eq(restores.userId, userId), inArray(restores.status, ['queued', 'running']))).limit(1)
  }
  catch (err) { throw databaseFailure(err) }
  return job ? getRestore(userId, job.id) : null
}

/** Maps the engine's stages to the restore's: the safety backup's reading and upload are one stage. */
const restoreStage = (e: ProgressEvent): JobStage => (e.stage === 'reading' || e.stage === 'uploading' ? 'safety_backup' : e.stage as JobStage)

/**
 * The worker's side of a restore (the job lock held, the row claimed), in three steps:
 *  1. prepare — download, verify and validate the file (BACKUP_INVALID with a reason, nothing
 *     changed; a storage failure is STORAGE_ERROR with an SNS event);
 *  2. the safety backup (`pre-restore`) of the current data; if it fails, nothing changes. From
 *     here to the commit the user's data is read-only (ledger writes answer 409), so every write
 *     acknowledged before is in the safety backup and none after can be lost;
 *  3. apply — one transaction that makes the user's rows equal to the backup's.
 * Cancelled (until the commit), the transaction rolls back and the safety backup is removed: the
 * data and the backup list are as before. A delivery after a worker died mid-restore (its
 * transaction rolled back by MySQL) ends that attempt's unfinished safety backup and starts over.
 */
export async function runRestoreJob(id: string, run: JobRun, ip: string | null): Promise<void> {
  const [job] = await useDb().select().from(restores).where(eq(restores.id, id))
  if (!job) return
  const { userId, backupId } = job
  // A dead attempt's safety backup, if unfinished, is ended (its partial upload removed).
  if (run.attempt > 1 && job.safetyBackupId) await endUnfinishedBackup(job.safetyBackupId)
  const clock = new StageClock()
  const observed = { onProgress: fanOut(clock.listen, e => run.report(restoreStage(e), e)), signal: run.signal }
  let stage: 'prepare' | 'safety_backup' | 'apply' = 'prepare'
  let prepared: PreparedBackup | undefined
  let safetyBackupId: string | null = null
  let committed = false
  // Before anyone learns the job ended: the temp files gone and the ledger writable again, so
  // whoever sees the end (the waiting request, the screen) can write at once.
  const cleanUp = async () => {
    await prepared?.dispose().catch(err => logger.error({ err: serializeError(err), restoreId: id }, 'could not remove the restore\'s temp files (the sweep will)'))
    prepared = undefined
    await endRestoreWindow(userId).catch(err => logger.error({ err: serializeError(err), userId }, 'could not end the restore window (writes resume when the job lock is released)'))
  }
  try {
    const row = await getOwnedBackup(userId, backupId)
    if (row.status !== 'completed' || !row.sha256 || row.sizeBytes === null) throw new AppError(row.status === 'invalid' ? 'BACKUP_INVALID' : 'BACKUP_NOT_READY', row.status === 'invalid' ? { reason: invalidReason(row.errorCode) } : {})
    const expected = { sizeBytes: row.sizeBytes, sha256: row.sha256 }
    run.stage('downloading')
    prepared = await prepare({ store: useObjectStore(), key: backupObjectKey(row), userId, tables: USER_DATA_TABLES, expected, maxUncompressedBytes: cofreConfig().backups.maxUncompressedBytes, ...observed })

    stage = 'safety_backup'
    run.stage('safety_backup')
    const t0 = performance.now()
    await beginRestoreWindow(userId)
    // The safety backup's read of the rows also compares them with the backup (one read for both).
    const diff = new SnapshotDiff(prepared)
    safetyBackupId = (await runBackup(userId, 'pre-restore', ip, {
      tap: diff, restoreOf: backupId, ...observed,
      onRegistered: async (safetyId) => { await useDb().update(restores).set({ safetyBackupId: safetyId }).where(eq(restores.id, id)) },
    })).id
    const safetyBackupMs = performance.now() - t0

    stage = 'apply'
    // The job's row is completed in the restore's own transaction, only while it is still this
    // run's and not cancelled: the data and the record of it never disagree, and a run that lost
    // the job (ended elsewhere, cancelled) cannot commit. The restored backup's mark and the audit
    // entry commit with it: whoever sees the job completed (a waiter in another process polls the
    // row) also sees them.
    // …and only while this run's session still holds the user's job lock: a worker frozen past
    // LOCK_SESSION_IDLE_SECONDS lost it, and with it the write gate (writes are then accepted, and
    // they came after the safety backup: committing would delete them unrecorded).
    const owned = ownedBy(run.attempt)
    const held = run.lock?.stillHeld ?? { sql: 'FALSE', values: [] }
    const restoredRows = Object.values(prepared.rowCounts).reduce((n, c) => n + c, 0)
    const commitIf = {
      // Progress reads rows restored / rows restored (as finishJob's `rows` does for a backup).
      sql: `UPDATE restores SET status = 'completed', stage = 'finished', progress_done = ?, progress_total = ?, progress_unit = 'rows', error_code = NULL, completed_at = CURRENT_TIMESTAMP(3), safety_backup_id = ?, restored = ?
            WHERE id = ? AND status = 'running' AND ${owned.sql} AND cancel_requested_at IS NULL AND ${held.sql}`,
      values: [restoredRows, restoredRows, safetyBackupId, JSON.stringify(prepared.rowCounts), id, ...owned.values, ...held.values],
      also: [
        markRestoredStatement(userId, backupId),
        auditStatement({ userId, action: 'backup.restore', targetId: backupId, detail: { restoreId: id, safetyBackupId, restored: prepared.rowCounts }, ip }),
      ],
    }
    const { changes } = await apply({ pool: useDbHandle().promisePool, userId, tables: USER_DATA_TABLES, prepared, edits: diff.edits(), commitIf, ...observed })
    committed = true
    const rows = (k: keyof typeof changes[string]) => Object.values(changes).reduce((n, c) => n + c[k], 0)
    reportStages('restore', { ...clock.timings(), safetyBackupMs, unchanged: rows('unchanged'), deleted: rows('deleted'), inserted: rows('inserted'), updated: rows('updated') })
    await cleanUp()
    announceFinished(id)
  }
  catch (err) {
    // A run that lost its job (woken after another attempt took it over) leaves everything to that
    // attempt: the read-only window, the safety backup (job.safetyBackupId is now that attempt's),
    // the row. Only its own temp files go.
    if (!committed && await takenOver('restore', id, run.attempt).catch(() => false)) {
      await prepared?.dispose().catch(() => {})
      logger.warn({ restoreId: id, attempt: run.attempt }, 'a run that lost its restore stopped; the attempt running it now is left alone')
      return
    }
    await cleanUp()
    // Committed: the restore happened and its row says so; what failed after is only logged.
    if (committed) {
      logger.error({ err: serializeError(err), restoreId: id }, 'after a committed restore')
      return
    }
    if (run.signal.aborted || (err instanceof CommitRefused && (await jobRow('restore', id))?.cancelRequested)) {
      await endCancelledJob('restore', id, ip, run.attempt)
      return
    }
    // Not committed because the run is no longer entitled to: ended elsewhere meanwhile (attempts
    // used up, recovered) — nothing of this run counts — or its job lock lost while its worker was
    // frozen: the data stays as it is (with the writes the open gate let in), the job ends failed.
    const failure = err instanceof CommitRefused ? new AppError('JOB_INTERRUPTED') : await restoreFailed(err, { userId, backupId, ip, stage, safetyBackupId })
    const ended = await finishJob('restore', id, { status: 'failed', errorCode: failure.code, errorDetail: err instanceof CommitRefused ? null : failure.data ?? null, attempt: run.attempt })
    // Not ended here (ended or taken over elsewhere meanwhile, or cancelled): the log says so, since
    // whatever ends it instead (runDelivery's fallback, recovery) records another outcome.
    if (!ended) logger.warn({ restoreId: id, attempt: run.attempt, code: failure.code, stage }, 'the failed restore\'s row was no longer this run\'s to end')
  }
}

/** Records a failed restore (audit, log, SNS) and returns the API error for it. */
async function restoreFailed(err: unknown, c: { userId: number, backupId: string, ip: string | null, stage: string, safetyBackupId: string | null }): Promise<AppError> {
  const failure = toAppError(err)
  const { userId, backupId, stage } = c
  const invalid = err instanceof BackupInvalidError ? { reason: err.reason, detail: err.detail } : {}
  await audit({ userId, action: 'backup.restore', targetId: backupId, outcome: 'failure', detail: { code: failure.code, stage, safetyBackupId: c.safetyBackupId, ...invalid }, ip: c.ip })
  if (failure.code === 'BACKUP_INVALID') {
    logger.warn({ userId, backupId, ...invalid }, 'restore refused: invalid backup')
    if (err instanceof BackupInvalidError) await markInvalid({ id: backupId, userId }, err.reason)
  }
  else if (err instanceof StorageError) {
    return storageFailure(err, 'restore.storage_error', { backupId, userId })
  }
  // A safety backup that failed on storage already published its own event.
  // A failure on our side is the team's to know (not, say, a backup the user deleted meanwhile).
  else if (ERROR_STATUS[failure.code] >= 500 && !(stage === 'safety_backup' && failure.code === 'STORAGE_ERROR')) {
    await notify('restore.failed', { backupId, userId, stage, code: failure.code, operation: err instanceof DatabaseError ? err.operation : (err as Error).name })
  }
  return failure
}
