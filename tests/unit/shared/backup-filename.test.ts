import { describe, expect, it } from 'vitest'
import { backupFilename } from '../../../shared/backup-filename'

describe('backupFilename', () => {
  it('names the file by the time the user sees, in their time zone, to the second', () => {
    expect(backupFilename('2026-03-10T02:05:09.123Z', 'America/Sao_Paulo')).toBe('cofre-backup-2026-03-09_23-05-09.jsonl.gz')
    expect(backupFilename('2026-03-10T02:05:09.123Z', 'Asia/Tokyo')).toBe('cofre-backup-2026-03-10_11-05-09.jsonl.gz')
    expect(backupFilename('2026-03-10T02:05:09.123Z', 'UTC')).toBe('cofre-backup-2026-03-10_02-05-09.jsonl.gz')
  })
  it('uses 00, not 24, for midnight', () => {
    expect(backupFilename('2026-03-10T03:00:00Z', 'America/Sao_Paulo')).toBe('cofre-backup-2026-03-10_00-00-00.jsonl.gz')
  })
  it('ends in the extension of the backup\'s format (gzip for format 1 and when not given, zstd for 2)', () => {
    expect(backupFilename('2026-03-10T02:05:09.123Z', 'UTC', 1)).toBe('cofre-backup-2026-03-10_02-05-09.jsonl.gz')
    expect(backupFilename('2026-03-10T02:05:09.123Z', 'UTC', 2)).toBe('cofre-backup-2026-03-10_02-05-09.jsonl.zst')
  })
})
