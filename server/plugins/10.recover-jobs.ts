import { recoverInterruptedJobs } from '../services/backups'

/** Backups left `running` by a crashed process become `failed` (INTERRUPTED), their objects removed. */
export default defineNitroPlugin(() => everyHour('recovered interrupted backup jobs', recoverInterruptedJobs))
