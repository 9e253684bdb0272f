/**
 * Runs a housekeeping task shortly after start-up and then every hour, never overlapping itself,
 * logging what it did (when it did something) or why it failed. Each task must be safe on several
 * instances at once.
 */
export function everyHour(what: string, task: () => Promise<number>, firstAfterMs = 1000) {
  if (import.meta.prerender) return
  let running = false
  const run = async () => {
    if (running) return
    running = true
    try {
      const n = await task()
      if (n) logger.info({ task: what, count: n }, 'housekeeping done')
    }
    catch (err) { logger.error({ task: what, err: serializeError(err) }, 'housekeeping failed') }
    finally { running = false }
  }
  setTimeout(run, firstAfterMs).unref()
  setInterval(run, 3600_000).unref()
}
