// The value lists that the database schema (server/db/schema.ts), the API's zod schemas and the
// UI all use: one source, so a new value is added in one place.
export const CATEGORY_KINDS = ['income', 'expense'] as const
export const LOCALES = ['pt-BR', 'en'] as const
export const THEMES = ['light', 'dark', 'system'] as const
// A backup or restore is a background job: queued → running → completed | failed | cancelled.
export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const
/** Statuses a job never leaves. */
export const FINISHED_JOB_STATUSES = ['completed', 'failed', 'cancelled', 'invalid'] as const
// A backup's statuses are a job's, plus 'invalid': the object exists but a restore or a download
// found it unusable (error_code = reason).
export const BACKUP_STATUSES = [...JOB_STATUSES, 'invalid'] as const
export const RESTORE_STATUSES = JOB_STATUSES
/**
 * Where a job is, in words the screen translates: a backup reads the rows (uploading as it goes)
 * and finishes its upload; a restore downloads, validates, takes the safety backup, applies.
 */
export const JOB_STAGES = ['queued', 'reading', 'uploading', 'downloading', 'validating', 'safety_backup', 'applying', 'finished'] as const
export const PROGRESS_UNITS = ['rows', 'bytes'] as const
export const BACKUP_KINDS = ['manual', 'pre-restore', 'scheduled'] as const
