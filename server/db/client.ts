import mysql from 'mysql2'
import type { Pool as PromisePool } from 'mysql2/promise'
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2'
import * as schema from './schema'

export type Db = MySql2Database<typeof schema>

export interface DbHandle {
  /** Callback pool: needed for row streaming (`query(...).stream()`). */
  pool: mysql.Pool
  /** The same pool with the promise API. */
  promisePool: PromisePool
  db: Db
  close(): Promise<void>
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

export function createDb(url: string, poolSize = 10, lockWaitTimeoutSeconds = 10): DbHandle {
  const pool = mysql.createPool(connectionOptions(url, poolSize))
  // A user waiting on a locked row gets an answer (500 DATABASE_ERROR, rolled back) in seconds,
  // not after InnoDB's default 50 s.
  pool.on('connection', conn => conn.query('SET SESSION innodb_lock_wait_timeout = ?', [lockWaitTimeoutSeconds]))
  const promisePool = pool.promise()
  const db = drizzle({ client: promisePool, schema, mode: 'default' })
  return {
    pool,
    promisePool,
    db,
    close: () => promisePool.end(),
  }
}
