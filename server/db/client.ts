import mysql from 'mysql2'
import type { Pool as PromisePool } from 'mysql2/promise'
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2'
import * as schema from './schema'

export type Db = MySql2Database<typeof schema>

export interface DbHandle {
  /** Callback pool: row streaming (engine/db/row-stream.ts) needs the callback connections. */
  pool: mysql.Pool
  /** The same pool with the promise API. */
  promisePool: PromisePool
  /**
   * A second, separate pool that only holds job locks (GET_LOCK). A lock is held on its
   * connection for a whole job while the job's work takes connections from `pool`: were both
   * from one pool, N simultaneous jobs holding N locks would wait forever for the work's
   * connections (the freeze of issue 12). Its size is the number of jobs allowed at once.
   */
  lockPool: PromisePool
  db: Db
  close(): Promise<void>
}

export interface DbOptions {
  poolSize?: number
  /** Row-lock wait before a statement fails (InnoDB's default is 50 s). */
  lockWaitTimeoutSeconds?: number
  /** How long a query waits for a free connection before failing with PoolAcquireTimeoutError. */
  acquireTimeoutMs?: number
  /** Connections of the job-lock pool (one per job running at once in this process). */
  lockPoolSize?: number
}

/** A free connection did not come within the acquire timeout: the pool is saturated. */
export class PoolAcquireTimeoutError extends Error {
  readonly code = 'POOL_ACQUIRE_TIMEOUT'
  constructor(ms: number) {
    super(`no database connection free within ${ms} ms`)
    this.name = 'PoolAcquireTimeoutError'
  }
}

/**
 * Connection options shared by the app, scripts and tests. Money (DECIMAL) comes back as strings
 * and DATE/DATETIME as strings, so nothing passes through a JS float or a time-zone shift.
 */
export function connectionOptions(url: string, poolSize = 10): mysql.PoolOptions {
  return {
    uri: url,
    connectionLimit: poolSize,
    dateStrings: true,
    decimalNumbers: false,
    supportBigNumbers: true,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    enableKeepAlive: true,
    connectTimeout: 5000,
  }
}

/**
 * mysql2 queues a request for a connection without a deadline. Every acquire here has one: past
 * `ms` the caller gets PoolAcquireTimeoutError, and a connection that arrives later for the
 * abandoned request is handed straight back to the pool (and so to the next one waiting).
 * `pool.query`/`execute` acquire through `this.getConnection`, so this covers Drizzle too.
 */
export function withAcquireTimeout(pool: mysql.Pool, ms: number): void {
  const acquire = pool.getConnection.bind(pool)
  type Callback = Parameters<typeof acquire>[0]
  pool.getConnection = ((cb: Callback) => {
    let settled = false
    const timer = setTimeout(() => {
      settled = true
      cb(new PoolAcquireTimeoutError(ms) as unknown as NodeJS.ErrnoException, undefined as unknown as mysql.PoolConnection)
    }, ms)
    acquire((err, conn) => {
      if (settled) {
        conn?.release()
        return
      }
      settled = true
      clearTimeout(timer)
      cb(err, conn)
    })
  }) as typeof pool.getConnection
}

/**
 * mysql2 escapes values with backslashes (`'it\\'s'`); under a server whose sql_mode has
 * NO_BACKSLASH_ESCAPES that escaping would not hold, and text from a request or a backup file
 * could end a string literal. Every session of the app's pool takes that mode out of its own
 * sql_mode, whatever the server's default.
 */
export const KEEP_BACKSLASH_ESCAPES = 'sql_mode = TRIM(BOTH \',\' FROM REPLACE(CONCAT(\',\', @@SESSION.sql_mode, \',\'), \',NO_BACKSLASH_ESCAPES,\', \',\'))'

/** Seconds a lock-pool session may stay silent before MySQL ends it (and frees its named locks). */
export const LOCK_SESSION_IDLE_SECONDS = 30

export function createDb(url: string, o: DbOptions = {}): DbHandle {
  const lockWait = o.lockWaitTimeoutSeconds ?? 10
  const acquireTimeoutMs = o.acquireTimeoutMs ?? 10_000
  const pool = mysql.createPool(connectionOptions(url, o.poolSize ?? 10))
  withAcquireTimeout(pool, acquireTimeoutMs)
  // A user waiting on a locked row gets an answer in seconds, not after InnoDB's default 50 s.
  // Sessions run in UTC, so CURRENT_TIMESTAMP (defaults, job heartbeats) and the UTC times the app
  // writes are the same clock, whatever the server's own time zone.
  pool.on('connection', conn => conn.query(`SET SESSION innodb_lock_wait_timeout = ?, time_zone = '+00:00', ${KEEP_BACKSLASH_ESCAPES}`, [lockWait]))
  // The lock pool's sessions end after LOCK_SESSION_IDLE_SECONDS without a query: a job's named
  // lock dies with its session, so a worker that is frozen or cut off (not dead: its TCP connection
  // stays up) holds its users' locks for a minute, not MySQL's default 8 hours. A job pings its
  // lock session meanwhile (job-lock.ts); idle pooled sessions are closed before MySQL would.
  const core = mysql.createPool({ ...connectionOptions(url, o.lockPoolSize ?? 4), maxIdle: 0, idleTimeout: (LOCK_SESSION_IDLE_SECONDS / 2) * 1000 })
  core.on('connection', conn => conn.query(`SET SESSION wait_timeout = ${LOCK_SESSION_IDLE_SECONDS}, ${KEEP_BACKSLASH_ESCAPES}`))
  withAcquireTimeout(core, acquireTimeoutMs)
  const promisePool = pool.promise()
  const lockPool = core.promise()
  const db = drizzle({ client: promisePool, schema, mode: 'default' })
  return {
    pool,
    promisePool,
    lockPool,
    db,
    close: async () => { await Promise.all([promisePool.end(), lockPool.end()]) },
  }
}
