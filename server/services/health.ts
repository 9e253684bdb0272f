import { HeadBucketCommand } from '@aws-sdk/client-s3'
import { sql } from 'drizzle-orm'

interface Check { status: 'ok' | 'error', latencyMs: number, error?: string }

const TIMEOUT_MS = 2000

async function timed(fn: (signal: AbortSignal) => Promise<unknown>): Promise<Check> {
  const started = performance.now()
  const signal = AbortSignal.timeout(TIMEOUT_MS)
  try {
    await Promise.race([
      fn(signal),
      new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('Timeout')), { once: true })),
    ])
    return { status: 'ok', latencyMs: Math.round(performance.now() - started) }
  }
  catch (err) {
    return { status: 'error', latencyMs: Math.round(performance.now() - started), error: (err as Error).name === 'Error' ? (err as Error).message : (err as Error).name }
  }
}

export async function checkHealth() {
  const [database, storage] = await Promise.all([
    timed(() => useDb().execute(sql`SELECT 1`)),
    timed(signal => useS3().send(new HeadBucketCommand({ Bucket: cofreConfig().s3.bucket }), { abortSignal: signal })),
  ])
  const checks = { database, storage }
  const failing = Object.entries(checks).filter(([, c]) => c.status !== 'ok').map(([name]) => name)
  return { status: failing.length ? 'error' as const : 'ok' as const, failing, checks }
}
