import { createDb, type DbHandle } from '../db/client'

let handle: DbHandle | undefined

/** The process-wide Drizzle/mysql2 pool, created on first use from runtime config. */
export function useDbHandle(): DbHandle {
  if (!handle) {
    const c = cofreConfig()
    handle = createDb(c.databaseUrl, {
      poolSize: c.databasePoolSize,
      lockWaitTimeoutSeconds: c.databaseLockWaitTimeoutSeconds,
      acquireTimeoutMs: c.databaseAcquireTimeoutMs,
      lockPoolSize: c.jobs.maxConcurrent,
    })
  }
  return handle
}

export const useDb = () => useDbHandle().db
