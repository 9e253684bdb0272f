/**
 * The name a downloaded backup gets: its creation time as the user sees it in the list (their
 * time zone, to the second), so the file on disk matches the row it came from.
 * "cofre-backup-2026-03-10_14-05-09.jsonl.gz". Shared: the server names the download (S3's
 * Content-Disposition), the details panel shows the same name.
 */
export function backupFilename(createdAtIso: string, timeZone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(createdAtIso)).map(p => [p.type, p.value]))
  return `cofre-backup-${parts.year}-${parts.month}-${parts.day}_${parts.hour}-${parts.minute}-${parts.second}.jsonl.gz`
}
