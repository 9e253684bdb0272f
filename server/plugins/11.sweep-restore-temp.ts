import { sweepRestoreTempDirs } from '../engine/restore/temp-dir'

/**
 * At start-up (and hourly), remove the plaintext temp folders of restores whose process died
 * (kill -9, OOM) before it could clean up; the rule that keeps other live instances' folders is
 * in temp-dir.ts.
 */
export default defineNitroPlugin(() => {
  if (import.meta.prerender) return
  const run = () => sweepRestoreTempDirs()
    .then(removed => removed.length && logger.warn({ removed: removed.length }, 'removed temp folders of interrupted restores'))
    .catch(err => logger.error({ err: serializeError(err) }, 'restore temp sweep failed'))
  void run()
  setInterval(run, 3600_000).unref()
})
