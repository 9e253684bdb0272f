import { sweepLeftovers } from '../services/backups'

/**
 * Objects a slow S3 created after their backup's row ended failed or cancelled (a creating request
 * past its deadline that S3 still finished) are removed NUXT_BACKUPS_SWEEP_AFTER_SECONDS after the
 * row ended (services/backups.ts sweepLeftovers). On every instance: removing is idempotent.
 */
export default defineNitroPlugin(() => {
  const after = cofreConfig().backups.sweepAfterSeconds
  const period = Math.min(60, after)
  every(period * 1000, 'swept what slow S3 requests left after their backup ended', () => sweepLeftovers(after, 3 * period))
})
