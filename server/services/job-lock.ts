import { createHash } from 'node:crypto'
import type { PoolConnection } from 'mysql2/promise'

/**
 * MySQL named locks are global to the server, not per database: the name carries a digest of the
 * database name so two Cofre databases on one server (staging and production, parallel test runs)
 * never block each other's users. At most 64 characters.
 */
export function jobLockName(databaseName: string, userId: number): string {
  return `cofre:${createHash('sha1').update(databaseName).digest('hex').slice(0, 12)}:job:${userId}`
}

const lockName = (userId: number) => jobLockName(decodeURIComponent(new URL(cofreConfig().databaseUrl).pathname.slice(1)), userId)

/**
 * One backup or restore per user at a time, across every app instance: a MySQL named lock
 * (GET_LOCK) held on a dedicated connection for the job's duration. MySQL frees it if the
 * process dies, so a crash never leaves a user locked out.
 */
export async function withUserJobLock<T>(userId: number, fn: () => Promise<T>): Promise<T> {
  const name = lockName(userId)
  let conn: PoolConnection
  try {
    conn = await useDbHandle().promisePool.getConnection()
  }
  catch (err) { throw new AppError('DATABASE_ERROR', {}, { cause: err }) }
  let got: boolean
  try {
    const [rows] = await conn.query('SELECT GET_LOCK(?, 0) AS got', [name]) as unknown as [{ got: number | null }[]]
    got = rows[0]?.got === 1
  }
  catch (err) {
    conn.destroy()
    throw new AppError('DATABASE_ERROR', {}, { cause: err })
  }
  if (!got) {
    conn.release()
    throw new AppError('JOB_IN_PROGRESS')
  }
  try {
    return await fn()
  }
  finally {
    await conn.query('SELECT RELEASE_LOCK(?)', [name]).then(() => conn.release(), () => conn.destroy())
  }
}

/** True if no job holds the user's lock right now (used to recover rows left `running` by a crash). */
export async function isUserJobIdle(userId: number): Promise<boolean> {
  const [rows] = await useDbHandle().promisePool.query('SELECT IS_FREE_LOCK(?) AS free', [lockName(userId)]) as unknown as [{ free: number }[]]
  return rows[0]?.free === 1
}
