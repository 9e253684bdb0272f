import type { RowDataPacket } from 'mysql2/promise'
import { audit } from '../audit'
import { endUnfinishedBackup } from '../backups'
import { isUserJobIdle } from '../job-lock'
import { notify } from '../notifier'
import type { JobKind } from './message'
import { finishJob, JOB_TABLE } from './record'

/**
 * Ends a job that will not finish: the worker's last delivery of a message (its attempts used up,
 * the message then goes to the dead-letter queue), or a job nobody has heard from (recovery).
 * What the job left is removed first (a backup's partial upload; a restore's unfinished safety
 * backup — its transaction was rolled back by MySQL when its worker died), then the row is ended
 * failed. The one call that ends it records it and publishes one SNS message.
 */
export async function endFailedJob(kind: JobKind, id: string, code: 'JOB_INTERRUPTED', why: string): Promise<boolean> {
  const [rows] = await useDbHandle().promisePool.query<RowDataPacket[]>(
    `SELECT user_id AS userId, attempts${kind === 'restore' ? ', safety_backup_id AS safetyBackupId, backup_id AS backupId' : ''} FROM ?? WHERE id = ? AND status IN ('queued', 'running')`,
    [JOB_TABLE[kind], id],
  )
  const job = rows[0] as { userId: number, attempts: number, safetyBackupId?: string | null, backupId?: string } | undefined
  if (!job) return false
  let ended: boolean
  if (kind === 'backup') ended = await endUnfinishedBackup(id)
  else {
    if (job.safetyBackupId) await endUnfinishedBackup(job.safetyBackupId)
    ended = await finishJob(kind, id, { status: 'failed', errorCode: code })
  }
  if (!ended) return false
  await audit({ userId: job.userId, action: kind === 'backup' ? 'backup.create' : 'backup.restore', targetId: kind === 'backup' ? id : job.backupId!, outcome: 'failure', detail: { code, why, attempts: job.attempts, jobId: id } })
  await notify(kind === 'backup' ? 'backup.failed' : 'restore.failed', { jobId: id, userId: job.userId, code, why, attempts: job.attempts })
  return true
}

/**
 * Jobs nobody has heard from for NUXT_JOBS_STALE_AFTER_SECONDS (a running job's heartbeat, a
 * queued job's creation) whose user's job lock is free on every instance: their message is lost
 * or dead-lettered, or their worker died after its last delivery. Works across machines: it reads
 * the heartbeat every worker writes, not this process's memory.
 */
export async function recoverStaleJobs(): Promise<number> {
  const staleAfter = cofreConfig().jobs.staleAfterSeconds
  let recovered = 0
  for (const kind of ['backup', 'restore'] as const) {
    const [rows] = await useDbHandle().promisePool.query<RowDataPacket[]>(
      `SELECT id, user_id AS userId FROM ?? WHERE status IN ('queued', 'running')
         AND COALESCE(heartbeat_at, created_at) < CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND LIMIT 500`,
      [JOB_TABLE[kind], staleAfter],
    )
    for (const row of rows as { id: string, userId: number }[]) {
      if (!(await isUserJobIdle(row.userId))) continue
      if (await endFailedJob(kind, row.id, 'JOB_INTERRUPTED', 'no heartbeat')) recovered++
    }
  }
  return recovered
}
