import { HeadBucketCommand } from '@aws-sdk/client-s3'
import { sql } from 'drizzle-orm'

/** What anonymous callers see: no error text (it names hosts, ports, buckets); that goes to the logs. */
interface Check { status: 'ok' | 'error', latencyMs: number }

const TIMEOUT_MS = 2000

/** The last failure logged per check, so a load balancer polling during an outage logs it once, not every few seconds. */
const lastLogged = new Map<string, string>()

function logOutcome(check: string, err: unknown) {
  if (err === undefined) {
    if (lastLogged.delete(check)) logger.info({ check }, 'health check recovered')
    return
  }
  const detail = serializeError(err)
  const signature = JSON.stringify(detail)
  if (lastLogged.get(check) === signature) return
  lastLogged.set(check, signature)
  logger.warn({ check, err: detail }, 'health check failed')
}

async function timed(check: string, fn: (signal: AbortSignal) => Promise<unknown>): Promise<Check> {
  const started = performance.now()
  const signal = AbortSignal.timeout(TIMEOUT_MS)
  try {
    await Promise.race([
      fn(signal),
      new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('Timeout')), { once: true })),
    ])
    logOutcome(check, undefined)
    return { status: 'ok', latencyMs: Math.round(performance.now() - started) }
  }
  catch (err) {
    logOutcome(check, err)
    return { status: 'error', latencyMs: Math.round(performance.now() - started) }
  }
}

export async function checkHealth() {
  const [database, storage] = await Promise.all([
    timed('database', () => useDb().execute(sql`SELECT 1`)),
    timed('storage', signal => useS3().send(new HeadBucketCommand({ Bucket: cofreConfig().s3.bucket }), { abortSignal: signal })),
  ])
  const checks = { database, storage }
  const failing = Object.entries(checks).filter(([, c]) => c.status !== 'ok').map(([name]) => name)
  return { status: failing.length ? 'error' as const : 'ok' as const, failing, checks }
}
