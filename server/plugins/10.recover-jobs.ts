import { recoverInterruptedJobs } from '../services/backups'

/** At start-up (and hourly), recover backups left `running` by a crashed process. */
export default defineNitroPlugin(() => {
  if (import.meta.prerender) return
  const run = () => recoverInterruptedJobs()
    .then(n => n && logger.warn({ recovered: n }, 'recovered interrupted backup jobs'))
    .catch(err => logger.error({ err: serializeError(err) }, 'job recovery failed'))
  setTimeout(run, 1000).unref()
  setInterval(run, 3600_000).unref()
})
