import { recoverStaleJobs } from '../services/jobs/recovery'

/**
 * Jobs nobody has heard from (no heartbeat for NUXT_JOBS_STALE_AFTER_SECONDS, their user's job
 * lock free everywhere) end failed (JOB_INTERRUPTED), what they left in storage removed. Checked
 * every minute, on every instance (each end is a guarded UPDATE, so they never do it twice).
 */
export default defineNitroPlugin(() => every(60_000, 'recovered stale jobs', recoverStaleJobs))
