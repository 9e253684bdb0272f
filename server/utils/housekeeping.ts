/**
 * Runs a housekeeping task shortly after start-up and then every `intervalMs`, never overlapping
 * itself, logging what it did (when it did something) or why it failed. Each task must be safe on
 * several instances at once.
 */
export function every(intervalMs: number, what: string, task: () => Promise<number>, firstAfterMs = 1000) {
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
  setInterval(run, intervalMs).unref()
}

export const everyHour = (what: string, task: () => Promise<number>, firstAfterMs = 1000) => every(3600_000, what, task, firstAfterMs)
