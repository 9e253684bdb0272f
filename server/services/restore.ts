import type { Backup } from '../db/schema'
import { USER_DATA_TABLES } from '../db/registry'
import { BackupInvalidError, DatabaseError, StorageError } from '../engine/errors'
import { restoreFromObject } from '../engine/restore/restore'
import { audit } from './audit'
import { and, asc, eq, gte } from 'drizzle-orm'
import { auditLog } from '../db/schema'
import { backupObjectKey, checkStorageQuota, checkWindow, getOwnedBackup, runBackup, windowStart } from './backups'
import { withUserJobLock } from './job-lock'
import { beginRestoreWindow, endRestoreWindow } from './ledger/write-gate'
import { notify } from './notifier'

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

export interface RestoreOutcome { backup_id: string, safety_backup_id: string, restored: Record<string, number> }

/**
 * Restores one of the caller's completed backups under the user's job lock: verify and validate
 * the file (422 BACKUP_INVALID with a reason, nothing changed), take a `pre-restore` safety backup
 * (if it fails, the restore does not start), then replace the data in one transaction.
 */
export async function restoreBackup(userId: number, backupId: string, ip: string, hooks: { onTransaction?: (threadId: number) => void } = {}): Promise<RestoreOutcome> {
  const row = await getOwnedBackup(userId, backupId)
  if (row.status !== 'completed' || !row.sha256 || row.sizeBytes === null) throw new AppError('BACKUP_NOT_READY')
  await checkRestoreRate(userId)
  await checkStorageQuota(userId)
  return withUserJobLock(userId, async () => {
    let safety: Backup | undefined
    let windowOpen = false
    try {
      const restored = await restoreFromObject({
        pool: useDbHandle().promisePool,
        store: useObjectStore(),
        key: backupObjectKey(row),
        userId,
        tables: USER_DATA_TABLES,
        expected: { sizeBytes: row.sizeBytes!, sha256: row.sha256! },
        maxUncompressedBytes: cofreConfig().backups.maxUncompressedBytes,
        // From here to the commit the user's data is read-only (ledger writes answer 409), so
        // every write acknowledged before is in the safety backup and none after can be lost.
        beforeReplace: async () => {
          windowOpen = true
          await beginRestoreWindow(userId)
          safety = await runBackup(userId, 'pre-restore', ip)
        },
        onTransaction: hooks.onTransaction,
      })
      await audit({ userId, action: 'backup.restore', targetId: backupId, detail: { safetyBackupId: safety!.id, restored }, ip })
      return { backup_id: backupId, safety_backup_id: safety!.id, restored }
    }
    catch (err) {
      const fail = (code: string, extra: Record<string, unknown> = {}) => audit({ userId, action: 'backup.restore', targetId: backupId, outcome: 'failure', detail: { code, safetyBackupId: safety?.id ?? null, ...extra }, ip })
      if (err instanceof BackupInvalidError) {
        await fail('BACKUP_INVALID', { reason: err.reason, detail: err.detail })
        logger.warn({ userId, backupId, reason: err.reason, detail: err.detail }, 'restore refused: invalid backup')
        throw new AppError('BACKUP_INVALID', { reason: err.reason }, { cause: err })
      }
      if (err instanceof AppError) {
        // The safety backup failed (it already published its own storage event): nothing changed.
        await fail(err.code, { stage: 'safety_backup' })
        if (err.code !== 'STORAGE_ERROR') await notify('restore.failed', { backupId, userId, stage: 'safety_backup', code: err.code })
        throw err
      }
      if (err instanceof StorageError) {
        await fail('STORAGE_ERROR')
        await notify('restore.storage_error', { backupId, userId, operation: err.operation, errorName: err.awsErrorName, requestId: err.requestId ?? null })
        throw new AppError('STORAGE_ERROR', {}, { cause: err })
      }
      const failure = databaseFailure(err)
      await fail(failure.code)
      await notify('restore.failed', { backupId, userId, stage: safety ? 'replace' : 'safety_backup', code: failure.code, operation: err instanceof DatabaseError ? err.operation : (err as Error).name })
      throw failure
    }
    finally {
      if (windowOpen) await endRestoreWindow(userId).catch(err => logger.error({ err: serializeError(err), userId }, 'could not end the restore window (writes resume when the job lock is released)'))
    }
  })
}
