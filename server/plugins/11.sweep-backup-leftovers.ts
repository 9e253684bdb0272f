import { sweepLeftovers } from '../services/backups'

/**
 * Objects a slow S3 created after their backup's row ended failed or cancelled (a creating request
 * past its deadline that S3 still finished), or beside the object another attempt completed (a
 * frozen attempt's upload, finished late), or after the row was deleted (deleted_backup_keys):
 * every row that ended so, and every deleted row's keys, are swept once,
 * NUXT_BACKUPS_SWEEP_AFTER_SECONDS after it ended (services/backups.ts sweepLeftovers). Every
 * instance sweeps, every minute (or every NUXT_BACKUPS_SWEEP_AFTER_SECONDS if shorter): removing
 * twice is harmless.
 */
export default defineNitroPlugin(() => {
  const after = cofreConfig().backups.sweepAfterSeconds
  every(Math.min(60, after) * 1000, 'swept what slow S3 requests left after their backup ended', () => sweepLeftovers(after))
})
