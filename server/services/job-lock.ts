import { createHash } from 'node:crypto'
import type { PoolConnection } from 'mysql2/promise'
import { LOCK_SESSION_IDLE_SECONDS } from '../db/client'

/**
 * MySQL named locks are global to the server, not per database: the name carries a digest of the
 * database name so two Cofre databases on one server (staging and production, parallel test runs)
 * never block each other's users. At most 64 characters.
 */
export function jobLockName(databaseName: string, userId: number): string {
  return `cofre:${createHash('sha1').update(databaseName).digest('hex').slice(0, 12)}:job:${userId}`
}

export const userJobLockName = (userId: number) => jobLockName(decodeURIComponent(new URL(cofreConfig().databaseUrl).pathname.slice(1)), userId)

let slots: Slots | undefined
/** This process's job slots (NUXT_JOBS_MAX_CONCURRENT running, NUXT_JOBS_MAX_QUEUED waiting). */
function jobSlots(): Slots {
  const { maxConcurrent, maxQueued, queueWaitSeconds } = cofreConfig().jobs
  return (slots ??= new Slots(maxConcurrent, maxQueued, queueWaitSeconds * 1000))
}

/** Seconds a caller turned away for lack of a slot is told to wait (Retry-After). */
const BUSY_RETRY_SECONDS = 5

/**
 * One backup or restore per user at a time, across every app instance, and a bounded number per
 * process:
 *  1. a user whose job is already running gets 409 JOB_IN_PROGRESS at once (without queuing);
 *  2. the job waits for one of this process's slots; none in time → 503 SERVICE_BUSY + Retry-After;
 *  3. a MySQL named lock (GET_LOCK, waiting up to `waitSeconds`: a worker taking over from the
 *     user's previous job, which releases it a moment after its row says finished) is taken on a
 *     connection of the separate lock pool, which has
 *     one connection per slot, so a lock never waits for, nor takes, a connection the work needs;
 *     MySQL frees the lock if the process dies, so a crash never leaves a user locked out.
 */
/**
 * The user's job lock as its holder sees it: MySQL ends the lock's session after
 * LOCK_SESSION_IDLE_SECONDS of silence (a frozen worker), and the lock is then free or another's.
 * `stillHeld` is the SQL condition that it is still this holder's, to put in a statement that
 * must not take effect otherwise (a restore's commit).
 */
export interface HeldLock { stillHeld: { sql: string, values: unknown[] } }

export async function withUserJobLock<T>(userId: number, fn: (lock: HeldLock) => Promise<T>, o: { waitSeconds?: number } = {}): Promise<T> {
  if (!o.waitSeconds && !(await isUserJobIdle(userId))) throw new AppError('JOB_IN_PROGRESS')
  const releaseSlot = await jobSlots().acquire()
  if (!releaseSlot) throw new AppError('SERVICE_BUSY', { retryAfterSeconds: BUSY_RETRY_SECONDS })
  try {
    return await holdingLock(userId, fn, o.waitSeconds ?? 0)
  }
  finally { releaseSlot() }
}

async function holdingLock<T>(userId: number, fn: (lock: HeldLock) => Promise<T>, waitSeconds: number): Promise<T> {
  const name = userJobLockName(userId)
  let conn: PoolConnection
  try { conn = await useDbHandle().lockPool.getConnection() }
  catch (err) { throw databaseFailure(err) }
  let got: boolean
  let session: number
  try {
    const [rows] = await conn.query('SELECT GET_LOCK(?, ?) AS got, CONNECTION_ID() AS session', [name, waitSeconds]) as unknown as [{ got: number | null, session: number }[]]
    got = rows[0]?.got === 1
    session = Number(rows[0]?.session)
  }
  catch (err) {
    conn.destroy()
    throw databaseFailure(err)
  }
  if (!got) {
    conn.release()
    throw new AppError('JOB_IN_PROGRESS')
  }
  // The lock's session ends after LOCK_SESSION_IDLE_SECONDS of silence (a frozen worker's frees
  // its locks): a live job keeps it talking.
  const ping = setInterval(() => { conn.query('SELECT 1').catch(() => {}) }, (LOCK_SESSION_IDLE_SECONDS / 3) * 1000)
  ping.unref()
  try {
    return await fn({ stillHeld: { sql: 'IS_USED_LOCK(?) = ?', values: [name, session] } })
  }
  finally {
    clearInterval(ping)
    await conn.query('SELECT RELEASE_LOCK(?)', [name]).then(() => conn.release(), () => conn.destroy())
  }
}

/** True if no job holds the user's lock right now, on any instance. */
export async function isUserJobIdle(userId: number): Promise<boolean> {
  try {
    const [rows] = await useDbHandle().promisePool.query('SELECT IS_FREE_LOCK(?) AS free', [userJobLockName(userId)]) as unknown as [{ free: number }[]]
    return rows[0]?.free === 1
  }
  catch (err) { throw databaseFailure(err) }
}
