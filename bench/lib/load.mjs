// HTTP load with autocannon: N connections for D seconds against one URL. autocannon reports a
// fixed set of percentiles (no p95), so every response time is also recorded here and the
// percentiles are computed exactly from them.
import autocannon from 'autocannon'

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : Number.NaN)

/** @returns {Promise<{ requests: number, rps: number, p50: number, p95: number, p99: number, max: number, non2xx: number, errors: number, timeouts: number, statuses: Record<string, number> }>} */
export function load({ url, connections, durationSeconds, headers = {} }) {
  return new Promise((resolve, reject) => {
    const times = []
    const statuses = {}
    const instance = autocannon({ url, connections, duration: durationSeconds, headers, timeout: 30 }, (err, result) => {
      if (err) return reject(err)
      times.sort((a, b) => a - b)
      const r = n => Math.round(n * 100) / 100
      resolve({
        connections,
        durationSeconds,
        requests: times.length,
        rps: r(times.length / durationSeconds),
        p50: r(pct(times, 50)),
        p95: r(pct(times, 95)),
        p99: r(pct(times, 99)),
        max: r(times.at(-1) ?? Number.NaN),
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statuses,
      })
    })
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      times.push(responseTime)
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1
    })
  })
}
