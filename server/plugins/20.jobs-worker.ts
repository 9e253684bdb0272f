import { startWorker } from '../services/jobs/worker'

/**
 * In the `worker` and `both` roles (NUXT_ROLE), this process consumes backup and restore jobs from
 * the SQS queue; it stops taking new ones when the server closes (a job cut short is delivered
 * again to another worker after the visibility timeout).
 */
export default defineNitroPlugin((nitro) => {
  if (import.meta.prerender || cofreConfig().role === 'web') return
  if (!cofreConfig().queue.url) {
    logger.info('no job queue (NUXT_QUEUE_URL): jobs run in the process that receives them')
    return
  }
  const started = startWorker().catch((err) => {
    logger.error({ err: serializeError(err) }, 'job worker did not start')
    return undefined
  })
  nitro.hooks.hook('close', async () => { await (await started)?.() })
})
