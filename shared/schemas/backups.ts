import { z } from 'zod'
import type { BACKUP_KINDS, BACKUP_STATUSES } from '../enums'
import { text } from './text'
import type { AcceptedJobDto, JobStateDto } from './jobs'

export const backupIdSchema = z.object({ id: text().uuid() })
export const restoreSchema = z.object({ backup_id: text().uuid() }).strict()

/** The most a backup's note holds, in characters (code points: an emoji is one, as in VARCHAR). */
export const BACKUP_NOTE_MAX = 140
/**
 * A short note of the user's own words on one line: trimmed, at most BACKUP_NOTE_MAX characters,
 * no control characters (a line break or a NUL would break the list's one-line label).
 */
export const backupNote = text({ error: 'validation.invalid' }).trim()
  .refine(v => [...v].length <= BACKUP_NOTE_MAX, 'validation.tooLong')
  .refine(v => !/\p{Cc}/u.test(v), 'validation.invalid')
  .nullable()
  .transform(v => (v === null || v === '' ? null : v))
export const backupNoteSchema = z.object({ note: backupNote }, { error: 'validation.invalid' }).strict()

export type BackupKind = typeof BACKUP_KINDS[number]
export type BackupStatus = typeof BACKUP_STATUSES[number]

// ── The list: cursor pagination ──────────────────────────────────────────────────────────────
/** Rows per page of GET /api/backups when `limit` is not given, and the most one page may hold. */
export const BACKUPS_PAGE_SIZE = 20
export const BACKUPS_MAX_PAGE_SIZE = 100

/** Where a page ends: the last row's `created_at` (as the database stores it) and id. */
export interface BackupCursor { createdAt: string, id: string }

const CURSOR_RE = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/
const toBase64Url = (s: string) => btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

/**
 * Opaque to clients (base64url): both the timestamp and the id, because many rows can share a
 * `created_at` and a cursor on the timestamp alone would skip or repeat them at a page boundary.
 */
export function encodeBackupCursor(c: BackupCursor): string {
  return toBase64Url(`${c.createdAt}|${c.id}`)
}

export function decodeBackupCursor(cursor: string): BackupCursor | null {
  if (!/^[\w-]{1,120}$/.test(cursor)) return null
  let text: string
  try { text = atob(cursor.replace(/-/g, '+').replace(/_/g, '/')) }
  catch { return null }
  const m = CURSOR_RE.exec(text)
  return m ? { createdAt: m[1]!, id: m[2]! } : null
}

/** GET /api/backups?limit=&cursor= — a limit over the maximum is refused (422), not clamped, so a client never silently gets less than it asked for. */
export const backupListQuery = z.object({
  limit: z.coerce.number({ error: 'validation.invalid' }).int('validation.invalid').min(1, 'validation.invalid').max(BACKUPS_MAX_PAGE_SIZE, 'validation.invalid').default(BACKUPS_PAGE_SIZE),
  cursor: text({ error: 'validation.invalid' }).transform((value, ctx) => {
    const decoded = decodeBackupCursor(value)
    if (!decoded) ctx.addIssue({ code: 'custom', message: 'validation.invalid' })
    return decoded ?? z.NEVER
  }).optional(),
})
export type BackupListQuery = z.infer<typeof backupListQuery>

/** A backup as the API returns it. `backup_id` and `urlDownload` are the seed's names. */
export interface BackupDto extends JobStateDto {
  backup_id: string
  kind: BackupKind
  status: BackupStatus
  /** failed: the API error's data (BACKUP_INVALID's reason, STORAGE_ERROR's `notified`). */
  error_detail: Record<string, unknown> | null
  size_bytes: number | null
  sha256: string | null
  row_counts: Record<string, number> | null
  format_version: number
  schema_version: number
  /** failed: an error code; invalid: the BACKUP_INVALID reason. */
  error_code: string | null
  note: string | null
  /** On a safety backup: the backup whose restore it was taken before, and that backup's date. */
  restore_of: string | null
  restore_of_created_at: string | null
  /** When this backup was last restored (on a safety backup: an undo). */
  restored_at: string | null
  created_at: string
  completed_at: string | null
  /** The download's file name, in the requester's time zone (the `cofre_tz` cookie; UTC without it). */
  filename: string
}

/** One page of the list, newest first; `next_cursor` is null on the last page. */
export interface BackupPageDto {
  items: BackupDto[]
  next_cursor: string | null
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

/** 202 from POST /api/backup: still queued or running after the wait budget. */
export interface AcceptedBackupDto extends AcceptedJobDto { backup_id: string }
/** 202 from POST /api/restore. */
export interface AcceptedRestoreDto extends AcceptedJobDto { restore_id: string, backup_id: string }
