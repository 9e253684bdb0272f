import type { Backup } from '../db/schema'
import { USER_DATA_TABLES } from '../db/registry'
import { BackupInvalidError, DatabaseError, StorageError } from '../engine/errors'
import { restoreFromObject } from '../engine/restore/restore'
import { audit } from './audit'
import { backupObjectKey, getOwnedBackup, runBackup } from './backups'
import { withUserJobLock } from './job-lock'
import { notify } from './notifier'

export interface RestoreOutcome { backup_id: string, safety_backup_id: string, restored: Record<string, number> }

/**
 * Restores one of the caller's completed backups under the user's job lock: verify and validate
 * the file (422 BACKUP_INVALID with a reason, nothing changed), take a `pre-restore` safety backup
 * (if it fails, the restore does not start), then replace the data in one transaction.
 */
export async function restoreBackup(userId: number, backupId: string, ip: string, hooks: { onTransaction?: (threadId: number) => void } = {}): Promise<RestoreOutcome> {
  const row = await getOwnedBackup(userId, backupId)
  if (row.status !== 'completed' || !row.sha256 || row.sizeBytes === null) throw new AppError('BACKUP_NOT_READY')
  return withUserJobLock(userId, async () => {
    let safety: Backup | undefined
    try {
      const restored = await restoreFromObject({
        pool: useDbHandle().promisePool,
        store: useObjectStore(),
        key: backupObjectKey(row),
        userId,
        tables: USER_DATA_TABLES,
        expected: { sizeBytes: row.sizeBytes!, sha256: row.sha256! },
        maxUncompressedBytes: cofreConfig().backups.maxUncompressedBytes,
        beforeReplace: async () => { safety = await runBackup(userId, 'pre-restore', ip) },
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
      await fail('DATABASE_ERROR')
      await notify('restore.failed', { backupId, userId, stage: 'replace', code: 'DATABASE_ERROR', operation: err instanceof DatabaseError ? err.operation : (err as Error).name })
      throw new AppError('DATABASE_ERROR', {}, { cause: err })
    }
  })
}
