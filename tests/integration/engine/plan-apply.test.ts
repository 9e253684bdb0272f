// The restore's plan and apply stages driven directly against the real MariaDB (no HTTP, no S3):
// a user's rows exported and spooled, then changed; the plan must count exactly what changed and
// write nothing; the apply must bring the rows back and report the same changes.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { zstdCompressSync } from 'node:zlib'
import mysql from 'mysql2'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { connectionOptions } from '../../../server/db/client'
import { USER_DATA_TABLES } from '../../../server/db/registry'
import { exportUserRows } from '../../../server/engine/export/export-rows'
import { readArchive } from '../../../server/engine/restore/archive-reader'
import { apply } from '../../../server/engine/restore/apply'
import { EditFiles } from '../../../server/engine/restore/edit-files'
import { DatabaseError } from '../../../server/engine/errors'
import { plan } from '../../../server/engine/restore/plan'
import { spoolValidated, type SpooledBackup } from '../../../server/engine/restore/spool'
import { validatedRows } from '../../../server/engine/restore/validator'
import { connect, dumpUser, seedLedger } from '../../support/data'

const USER = 8_200_000 + Math.floor(Math.random() * 100_000)
let pool: mysql.Pool
let conn: Awaited<ReturnType<typeof connect>>
let dir: string
let spooled: SpooledBackup
let original: Awaited<ReturnType<typeof dumpUser>>

beforeAll(async () => {
  pool = mysql.createPool(connectionOptions(inject('stack').databaseUrl, 2))
  conn = await connect(inject('stack').databaseUrl)
  await seedLedger(conn, USER, 500)
  original = await dumpUser(conn, USER)
  const chunks: Buffer[] = []
  for await (const c of exportUserRows({ pool, userId: USER, backupId: 'p', tables: USER_DATA_TABLES, app: { name: 'cofre', version: 'test' } })) chunks.push(c)
  dir = await mkdtemp(join(tmpdir(), 'cofre-plan-test-'))
  spooled = await spoolValidated(validatedRows(readArchive(Readable.from([zstdCompressSync(Buffer.concat(chunks))]), { maxUncompressedBytes: 1 << 26 }), { userId: USER, tables: USER_DATA_TABLES }), { dir })
})
/** The user's rows as a backup of them now, validated and spooled into `into`. */
async function spoolOf(userId: number, into: string): Promise<SpooledBackup> {
  const chunks: Buffer[] = []
  for await (const c of exportUserRows({ pool, userId, backupId: 's', tables: USER_DATA_TABLES, app: { name: 'cofre', version: 'test' } })) chunks.push(c)
  return spoolValidated(validatedRows(readArchive(Readable.from([zstdCompressSync(Buffer.concat(chunks))]), { maxUncompressedBytes: 1 << 26 }), { userId, tables: USER_DATA_TABLES }), { dir: into })
}

/** Inserts a transaction of the user's; returns its id. */
async function addTransaction(c: typeof conn, userId: number, accountId: number, n: number): Promise<number> {
  const [r] = await c.query<any>('INSERT INTO transactions (user_id, account_id, amount, date, description) VALUES (?, ?, ?, \'2026-02-01\', ?)', [userId, accountId, `${n}.00`, `added ${n}`])
  return Number(r.insertId)
}

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
  await conn?.end()
  await new Promise(r => pool.end(r))
})

describe('plan and apply', () => {
  it('the plan counts exactly what differs, per table, and writes nothing; apply restores it all', async () => {
    const [ids] = await conn.query<any[]>('SELECT id FROM transactions WHERE user_id = ? ORDER BY id', [USER])
    const txIds = ids.map(r => Number(r.id))
    await conn.query('UPDATE transactions SET description = \'changed\' WHERE id IN (?)', [txIds.slice(0, 3)])
    await conn.query('DELETE FROM transactions WHERE id IN (?)', [txIds.slice(3, 5)])
    const [acc] = await conn.query<any[]>('SELECT id FROM accounts WHERE user_id = ? LIMIT 1', [USER])
    for (let i = 0; i < 4; i++) await conn.query('INSERT INTO transactions (user_id, account_id, amount, date, description) VALUES (?, ?, \'1.00\', \'2026-01-01\', \'new\')', [USER, acc[0].id])
    const before = await dumpUser(conn, USER)

    const p = await plan({ pool: pool.promise(), userId: USER, tables: USER_DATA_TABLES, prepared: spooled })
    const tx = p.find(t => t.table === 'transactions')
    expect(tx).toMatchObject({ unchanged: 495, changed: 3, onlyInBackup: 2, onlyInDatabase: 4 })
    expect(tx?.examples.changed).toEqual(txIds.slice(0, 3))
    expect(tx?.examples.onlyInBackup).toEqual(txIds.slice(3, 5))
    for (const other of p.filter(t => t.table !== 'transactions')) expect(other).toMatchObject({ changed: 0, onlyInBackup: 0, onlyInDatabase: 0 })
    expect(await dumpUser(conn, USER)).toEqual(before)

    const result = await apply({ pool: pool.promise(), userId: USER, tables: USER_DATA_TABLES, prepared: { ...spooled, dir } })
    // The 3 changed rows are updated in place; the 4 only in the database deleted, the 2 only in the file inserted.
    expect(result.changes.transactions).toEqual({ unchanged: 495, deleted: 4, inserted: 2, updated: 3 })
    expect(result.restored).toEqual({ accounts: 2, categories: 2, transactions: 500, preferences: 1 })
    expect(await dumpUser(conn, USER)).toEqual(original)
  })

  it('a table with another unique key gets its changed rows deleted and inserted again, not updated in place', async () => {
    const [ids] = await conn.query<any[]>('SELECT id FROM transactions WHERE user_id = ? ORDER BY id', [USER])
    await conn.query('UPDATE transactions SET description = \'changed again\' WHERE id IN (?)', [ids.slice(10, 16).map(r => Number(r.id))])
    const tables = USER_DATA_TABLES.map(t => (t.name === 'transactions' ? { ...t, updatesInPlace: false } : t))
    const result = await apply({ pool: pool.promise(), userId: USER, tables, prepared: { ...spooled, dir } })
    expect(result.changes.transactions).toEqual({ unchanged: 494, deleted: 6, inserted: 6, updated: 0 })
    expect(await dumpUser(conn, USER)).toEqual(original)
  })

  it('deleting rows interleaved with another user\'s never waits for that user\'s locks, and leaves their rows as they were', async () => {
    // The deletes name the user's keys: a DELETE of a span of keys instead (tried, measured 40 %
    // faster) scans and locks every row in the span, another user's too, and waited here for
    // the other user's open transaction until the lock wait timeout, then failed the restore.
    const [a, b] = [USER + 10, USER + 11]
    const [la, lb] = [await seedLedger(conn, a, 20), await seedLedger(conn, b, 0)]
    const into = await mkdtemp(join(tmpdir(), 'cofre-interleaved-test-'))
    const other = await connect(inject('stack').databaseUrl)
    try {
      const backup = await spoolOf(a, into)
      const expected = await dumpUser(conn, a)
      // 100 rows of a's added since the backup, each next to one of b's.
      const bIds: number[] = []
      for (let i = 0; i < 100; i++) {
        await addTransaction(conn, a, la.accountIds[0]!, i)
        bIds.push(await addTransaction(conn, b, lb.accountIds[0]!, i))
      }
      const bBefore = await dumpUser(conn, b)
      // b is in the middle of a write of their own: a row amid a's rows to delete stays locked.
      await other.query('START TRANSACTION')
      await other.query('UPDATE transactions SET description = \'b writing\' WHERE id = ?', [bIds[50]])
      const started = performance.now()
      const result = await apply({ pool: pool.promise(), userId: a, tables: USER_DATA_TABLES, prepared: { ...backup, dir: into } })
      expect(performance.now() - started).toBeLessThan(2000)
      expect(result.changes.transactions).toEqual({ unchanged: 20, deleted: 100, inserted: 0, updated: 0 })
      expect(await dumpUser(conn, a)).toEqual(expected)
      await other.query('ROLLBACK')
      expect(await dumpUser(conn, b)).toEqual(bBefore)
    }
    finally {
      await other.end()
      await rm(into, { recursive: true, force: true })
    }
  })

  it('an update that would reach a row not this user\'s changes nothing and rolls the whole restore back', async () => {
    // Edits as the safety backup's read would hand them over, but naming another user's row as
    // "changed": the owner condition keeps it out of the UPDATE, and the count of matched rows
    // stops the restore (defence in depth: the comparison only ever names the user's own rows).
    const other = USER + 1
    await seedLedger(conn, other, 3)
    const otherBefore = await dumpUser(conn, other)
    const [[victim]] = await conn.query<any[]>('SELECT id FROM transactions WHERE user_id = ? ORDER BY id LIMIT 1', [other])
    const [ids] = await conn.query<any[]>('SELECT id FROM transactions WHERE user_id = ? ORDER BY id', [USER])
    await conn.query('UPDATE transactions SET description = \'edited\' WHERE id = ?', [ids[0].id])
    const before = await dumpUser(conn, USER)
    const first = original.transactions?.[0]
    const line = JSON.stringify([Number(victim.id), ...(first ? Object.values(first).slice(1) : [])])
    const edits = new Map()
    for (const t of USER_DATA_TABLES) {
      const e = new EditFiles(dir, `forged-${t.name}`, true)
      if (t.name === 'transactions') await e.write([{ op: 'change', pk: Number(victim.id), json: line }])
      const counts = await e.end()
      const [[{ n }]] = await conn.query<any[]>(`SELECT COUNT(*) AS n FROM \`${t.name}\` WHERE user_id = ?`, [USER])
      counts.compared = Number(n)
      edits.set(t.name, counts)
    }
    await expect(apply({ pool: pool.promise(), userId: USER, tables: USER_DATA_TABLES, prepared: { ...spooled, dir }, edits })).rejects.toBeInstanceOf(DatabaseError)
    expect(await dumpUser(conn, other)).toEqual(otherBefore)
    expect(await dumpUser(conn, USER)).toEqual(before)
  })
})
