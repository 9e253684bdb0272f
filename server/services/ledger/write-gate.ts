import { eq, isNotNull, and, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { users } from '../../db/schema'
import { userJobLockName } from '../job-lock'

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

/**
 * Every write to a user's ledger runs through here, in one transaction that first reads the
 * user's restore flag under a shared lock. That lock is what makes the guarantee hold: a restore
 * sets the flag with an UPDATE, which waits for every write holding the shared lock to commit,
 * and only then takes its safety backup. So a write is either committed before the safety
 * backup's snapshot (and is in it) or sees the flag and is refused with 409 RESTORE_IN_PROGRESS
 * (nothing written); no write can be answered 2xx and then lost. The flag counts only while some
 * job holds the user's job lock, so one left by a crashed restore blocks nothing.
 */
/** 1 while a restore holds the user's data: the flag is set and some job holds the user's lock. */
const restoreBlocks = (userId: number) => sql`SELECT ${users.restoringSince} IS NOT NULL AND IS_USED_LOCK(${userJobLockName(userId)}) IS NOT NULL AS blocked FROM ${users} WHERE ${users.id} = ${userId}`

export async function withUserWrite<T>(userId: number, write: (tx: Tx) => Promise<T>): Promise<T> {
  return useDb().transaction(async (tx) => {
    const [rows] = await tx.execute(sql`${restoreBlocks(userId)} LOCK IN SHARE MODE`) as unknown as [{ blocked: number | null }[]]
    if (Number(rows[0]?.blocked) === 1) throw new AppError('RESTORE_IN_PROGRESS')
    return write(tx)
  })
}

/**
 * Opens the read-only window of a restore: waits for the user's writes in flight to commit, then
 * flags the user so later writes are refused. Call it holding the user's job lock.
 */
export async function beginRestoreWindow(userId: number): Promise<void> {
  await useDb().update(users).set({ restoringSince: sql`CURRENT_TIMESTAMP(3)` }).where(eq(users.id, userId))
}

/** Closes the window (after the restore committed or failed). Also clears a flag a crash left. */
export async function endRestoreWindow(userId: number): Promise<void> {
  await useDb().update(users).set({ restoringSince: null }).where(and(eq(users.id, userId), isNotNull(users.restoringSince)))
}

/** Whether a restore is replacing the user's data right now (for the banner every page shows). */
export async function isRestoring(userId: number): Promise<boolean> {
  const [rows] = await useDb().execute(restoreBlocks(userId)) as unknown as [{ blocked: number | null }[]]
  return Number(rows[0]?.blocked) === 1
}
