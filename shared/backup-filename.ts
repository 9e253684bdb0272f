import { dateTimeFormat } from './intl'

/**
 * The file name extension of each backup format version (docs/backup-format.md): format 1 is
 * gzip, format 2 zstd. Shared: the engine names S3 keys with it, the server and the UI name
 * downloads with it.
 */
export const BACKUP_FILE_EXTENSIONS: Readonly<Record<number, string>> = { 1: 'jsonl.gz', 2: 'jsonl.zst' }

/**
 * The name a downloaded backup gets: its creation time as the user sees it in the list (their
 * time zone, to the second), so the file on disk matches the row it came from, and the extension
 * of its format (the row's `format_version`; 1 when not given, as before format 2):
 * "cofre-backup-2026-03-10_14-05-09.jsonl.gz". Shared: the server names the download (S3's
 * Content-Disposition), the details panel shows the same name.
 */
export function backupFilename(createdAtIso: string, timeZone: string, formatVersion = 1): string {
  const parts = Object.fromEntries(dateTimeFormat('en-US', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(createdAtIso)).map(p => [p.type, p.value]))
  return `cofre-backup-${parts.year}-${parts.month}-${parts.day}_${parts.hour}-${parts.minute}-${parts.second}.${BACKUP_FILE_EXTENSIONS[formatVersion] ?? BACKUP_FILE_EXTENSIONS[1]}`
}
