// Resident memory of the server process, from /proc/<pid>/status (Linux). A measurement samples
// VmRSS every ~20 ms while a request runs and, because a sampler can miss a short spike, also
// resets the kernel's peak counter (VmHWM, via /proc/<pid>/clear_refs) before the request and
// reads it afterwards: the reported peak is the larger of the two.
import { readFileSync, writeFileSync } from 'node:fs'

const MB = 1024 * 1024

function status(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = name => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN)
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 }
}

/** Resets VmHWM to the current RSS; false where the kernel does not allow it. */
function resetPeak(pid) {
  try { writeFileSync(`/proc/${pid}/clear_refs`, '5'); return true }
  catch { return false }
}

const sleep = ms => new Promise(r => setTimeout(r, ms))

/** The idle RSS right now: the median of a few samples over ~200 ms. */
export async function idleRss(pid) {
  const xs = []
  for (let i = 0; i < 5; i++) { xs.push(status(pid).rss); await sleep(50) }
  xs.sort((a, b) => a - b)
  return xs[2]
}

/**
 * Runs `fn` while watching the server's memory. Growth is the peak over the idle RSS right
 * before, where that idle is taken as at least `baseline` (the idle after warm-up): after a big
 * job the process may hand pages back and sit *below* its normal idle for a while, and refilling
 * its ordinary working set is not growth caused by the job.
 * @returns {Promise<{ value: any, idle: number, peak: number, hwm: number|null, growth: number, samples: number }>}
 */
export async function withRss(pid, fn, { intervalMs = 20, baseline = 0 } = {}) {
  const idle = await idleRss(pid)
  const canReset = resetPeak(pid)
  let peak = status(pid).rss
  let samples = 1
  const timer = setInterval(() => {
    try { const s = status(pid); if (s.rss > peak) peak = s.rss; samples++ }
    catch { /* the process is gone: the request will fail and say so */ }
  }, intervalMs)
  try {
    const value = await fn()
    const end = status(pid)
    const hwm = canReset ? end.hwm : null
    if (end.rss > peak) peak = end.rss
    const top = Math.max(peak, hwm ?? 0)
    return { value, idle, baseline, peak: top, sampledPeak: peak, hwm, growth: top - Math.max(idle, baseline), growthOverIdleBefore: top - idle, samples }
  }
  finally { clearInterval(timer) }
}

export const toMB = bytes => Math.round((bytes / MB) * 10) / 10
export { status as rssStatus }
