/**
 * Per-stage timings of backups and restores, for the benchmark (bench/run.mjs) and for anyone
 * diagnosing a slow job: with COFRE_STAGE_TIMINGS=1 in the server's environment, every finished
 * job prints one line `cofre-stages {"job":"restore",…}` to stderr. Off by default.
 */
export function reportStages(job: string, stats: object) {
  if (!process.env.COFRE_STAGE_TIMINGS) return
  const rounded = Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v) : v]))
  process.stderr.write(`cofre-stages ${JSON.stringify({ job, ...rounded })}\n`)
}
