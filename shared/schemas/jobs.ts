import { z } from 'zod'
import type { JOB_STAGES, JOB_STATUSES, PROGRESS_UNITS } from '../enums'
import { text } from './text'

export type JobStatus = typeof JOB_STATUSES[number]
export type JobStage = typeof JOB_STAGES[number]
export type ProgressUnit = typeof PROGRESS_UNITS[number]

/** How far a job is in its current stage (`total` 0 while unknown). */
export interface JobProgressDto { done: number, total: number, unit: ProgressUnit }

/** What every job (a backup's row, a restore's) says about where it is, for the screen. */
export interface JobStateDto {
  status: JobStatus | 'invalid'
  stage: JobStage
  progress: JobProgressDto
  /** Set once a cancel was asked for (a running job stops at its next progress point). */
  cancel_requested: boolean
  started_at: string | null
  /** The running worker's last sign of life. */
  heartbeat_at: string | null
  /** A failed job's BACKUP_INVALID reason (as the 422 it would have answered carries it). */
  reason: string | null
}

export const restoreIdSchema = z.object({ id: text().uuid() })

/** GET /api/restores/:id */
export interface RestoreDto extends JobStateDto {
  restore_id: string
  backup_id: string
  safety_backup_id: string | null
  /** failed/cancelled: the error code (e.g. STORAGE_ERROR, BACKUP_INVALID, JOB_CANCELLED). */
  error_code: string | null
  /** BACKUP_INVALID's reason, STORAGE_ERROR's `notified`. */
  error_detail: Record<string, unknown> | null
  restored: Record<string, number> | null
  created_at: string
  completed_at: string | null
}

/** 202 from POST /api/backup and /api/restore: the job goes on; poll `Location`. */
export interface AcceptedJobDto {
  status: JobStatus
  stage: JobStage
  progress: JobProgressDto
}
