import { and, asc, eq, gte } from 'drizzle-orm'
import type { RestoreResultDto } from '#shared/schemas/backups'
import { auditLog } from '../db/schema'
import { USER_DATA_TABLES } from '../db/registry'
import { BackupInvalidError, DatabaseError, StorageError } from '../engine/errors'
import { StageClock } from '../engine/progress'
import { apply } from '../engine/restore/apply'
import { prepare, type PreparedBackup } from '../engine/restore/prepare'
import { SnapshotDiff } from '../engine/restore/snapshot-diff'
import { reportStages } from '../engine/stages'
import { audit } from './audit'
import { backupObjectKey, checkStorageQuota, checkWindow, getOwnedBackup, invalidReason, markInvalid, markRestored, runBackup, storageFailure, windowStart } from './backups'
import { withUserJobLock } from './job-lock'
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
      .where(and(eq(auditLog.userId, userId), eq(auditLog.action, 'backup.restore'), gte(auditLog.createdAt, windowStart(rateWindowSeconds))))
      .orderBy(asc(auditLog.createdAt))
  }
  catch (err) { throw databaseFailure(err) }
  checkWindow(recent.map(r => r.createdAt), rateLimit, rateWindowSeconds)
}

/**
 * Restores one of the caller's completed backups, under the user's job lock, in three steps:
 *  1. prepare — download, verify and validate the file (422 BACKUP_INVALID with a reason, nothing
 *     changed; a storage failure is 500 STORAGE_ERROR with an SNS event);
 *  2. the safety backup (`pre-restore`) of the current data; if it fails, nothing changes. From
 *     here to the commit the user's data is read-only (ledger writes answer 409), so every write
 *     acknowledged before is in the safety backup and none after can be lost;
 *  3. apply — one transaction that makes the user's rows equal to the backup's.
 */
export async function restoreBackup(userId: number, backupId: string, ip: string): Promise<RestoreOutcome> {
  const row = await getOwnedBackup(userId, backupId)
  // Already proven unusable: the same answer as the validation that found it, without repeating it.
  if (row.status === 'invalid') throw new AppError('BACKUP_INVALID', { reason: invalidReason(row.errorCode) })
  if (row.status !== 'completed' || !row.sha256 || row.sizeBytes === null) throw new AppError('BACKUP_NOT_READY')
  const expected = { sizeBytes: row.sizeBytes, sha256: row.sha256 }
  await checkRestoreRate(userId)
  await checkStorageQuota(userId)
  return withUserJobLock(userId, async () => {
    const clock = new StageClock()
    let stage: 'prepare' | 'safety_backup' | 'apply' = 'prepare'
    let prepared: PreparedBackup | undefined
    let safetyBackupId: string | null = null
    try {
      prepared = await prepare({ store: useObjectStore(), key: backupObjectKey(row), userId, tables: USER_DATA_TABLES, expected, maxUncompressedBytes: cofreConfig().backups.maxUncompressedBytes, onProgress: clock.listen })

      stage = 'safety_backup'
      const t0 = performance.now()
      await beginRestoreWindow(userId)
      // The safety backup's read of the rows also compares them with the backup (one read for both).
      const diff = new SnapshotDiff(prepared)
      safetyBackupId = (await runBackup(userId, 'pre-restore', ip, { tap: diff, restoreOf: backupId })).id
      const safetyBackupMs = performance.now() - t0

      stage = 'apply'
      const { restored, changes } = await apply({ pool: useDbHandle().promisePool, userId, tables: USER_DATA_TABLES, prepared, edits: diff.edits(), onProgress: clock.listen })
      const rows = (k: keyof typeof changes[string]) => Object.values(changes).reduce((n, c) => n + c[k], 0)
      reportStages('restore', { ...clock.timings(), safetyBackupMs, unchanged: rows('unchanged'), deleted: rows('deleted'), inserted: rows('inserted') })
      await markRestored(userId, backupId)
      await audit({ userId, action: 'backup.restore', targetId: backupId, detail: { safetyBackupId, restored }, ip })
      return { backup_id: backupId, safety_backup_id: safetyBackupId, restored }
    }
    catch (err) {
      throw await restoreFailed(err, { userId, backupId, ip, stage, safetyBackupId })
    }
    finally {
      await prepared?.dispose()
      if (stage !== 'prepare') await endRestoreWindow(userId).catch(err => logger.error({ err: serializeError(err), userId }, 'could not end the restore window (writes resume when the job lock is released)'))
    }
  })
}

/** Records a failed restore (audit, log, SNS) and returns the API error for it. */
async function restoreFailed(err: unknown, c: { userId: number, backupId: string, ip: string, stage: string, safetyBackupId: string | null }): Promise<AppError> {
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
  else if (!(stage === 'safety_backup' && failure.code === 'STORAGE_ERROR')) {
    await notify('restore.failed', { backupId, userId, stage, code: failure.code, operation: err instanceof DatabaseError ? err.operation : (err as Error).name })
  }
  return failure
}
