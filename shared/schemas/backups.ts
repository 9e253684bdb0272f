import { z } from 'zod'
import type { BACKUP_KINDS, BACKUP_STATUSES } from '../enums'
import { text } from './text'

export const backupIdSchema = z.object({ id: text().uuid() })
export const restoreSchema = z.object({ backup_id: text().uuid() }).strict()

export type BackupKind = typeof BACKUP_KINDS[number]
export type BackupStatus = typeof BACKUP_STATUSES[number]

/** A backup as the API returns it. `backup_id` and `urlDownload` are the seed's names. */
export interface BackupDto {
  backup_id: string
  kind: BackupKind
  status: BackupStatus
  size_bytes: number | null
  sha256: string | null
  row_counts: Record<string, number> | null
  format_version: number
  schema_version: number
  error_code: string | null
  created_at: string
  completed_at: string | null
  filename: string
}

export interface CreatedBackupDto extends BackupDto {
  urlDownload: string
  expiresAt: string
}

export interface RestoreResultDto {
  message: string
  backup_id: string
  safety_backup_id: string
  restored: Record<string, number>
}
