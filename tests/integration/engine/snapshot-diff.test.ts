// One read for the safety backup and the restore's comparison (restore/snapshot-diff.ts), driven
// directly against the real MariaDB: the edits found while exporting make the apply bring back
// exactly the backup's rows, and a table whose row count moved since the read is compared again.
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
import { apply } from '../../../server/engine/restore/apply'
import { readArchive } from '../../../server/engine/restore/archive-reader'
import { SnapshotDiff } from '../../../server/engine/restore/snapshot-diff'
import { spoolValidated } from '../../../server/engine/restore/spool'
import { validatedRows } from '../../../server/engine/restore/validator'
import { connect, dumpUser, seedLedger } from '../../support/data'

const USER = 8_300_000 + Math.floor(Math.random() * 100_000)
const app = { name: 'cofre', version: 'test' }
let pool: mysql.Pool
let conn: Awaited<ReturnType<typeof connect>>
let dir: string

async function exportAll(tap?: SnapshotDiff) {
  const chunks: Buffer[] = []
  for await (const c of exportUserRows({ pool, userId: USER, backupId: 'b', tables: USER_DATA_TABLES, app, chunkBytes: 16 * 1024, tap })) chunks.push(c)
  return Buffer.concat(chunks)
}

/** The backup as a restore's prepare leaves it: validated and spooled under `dir`. */
async function spooled(lines: Buffer) {
  const items = validatedRows(readArchive(Readable.from([zstdCompressSync(lines)]), { maxUncompressedBytes: 1 << 30 }), { userId: USER, tables: USER_DATA_TABLES })
  return { ...await spoolValidated(items, { dir }), dir }
}

/** Edits, deletions and new rows since the backup (1 in 10 transactions changed, 1 in 50 gone, 20 new); returns how many of each. */
async function drift() {
  const [[counts]] = await conn.query('SELECT SUM(MOD(id, 10) = 0) AS changed, SUM(MOD(id, 50) = 7) AS gone FROM transactions WHERE user_id = ?', [USER]) as unknown as [{ changed: string, gone: string }[]]
  await conn.query('UPDATE transactions SET amount = amount + 1 WHERE user_id = ? AND MOD(id, 10) = 0', [USER])
  await conn.query('DELETE FROM transactions WHERE user_id = ? AND MOD(id, 50) = 7', [USER])
  await conn.query('INSERT INTO transactions (user_id, account_id, amount, date, description) SELECT user_id, account_id, \'9.99\', \'2026-01-01\', \'new\' FROM transactions WHERE user_id = ? ORDER BY id LIMIT 20', [USER])
  await conn.query('UPDATE preferences SET theme = \'light\' WHERE user_id = ?', [USER])
  return { changed: Number(counts?.changed), gone: Number(counts?.gone), added: 20 }
}

beforeAll(async () => {
  pool = mysql.createPool(connectionOptions(inject('stack').databaseUrl, 2))
  conn = await connect(inject('stack').databaseUrl)
  await seedLedger(conn, USER, 2000)
  dir = await mkdtemp(join(tmpdir(), 'cofre-snapshot-diff-'))
})
afterAll(async () => {
  await conn.end()
  await new Promise(r => pool.end(r))
  await rm(dir, { recursive: true, force: true })
})

describe('SnapshotDiff', () => {
  it('finds the edits while the rows are exported, and the apply uses them to bring back exactly the backup', async () => {
    const before = await dumpUser(conn, USER)
    const prepared = await spooled(await exportAll())
    const { changed, gone, added } = await drift()
    expect(changed).toBeGreaterThan(100)
    const diff = new SnapshotDiff(prepared)
    const safety = await exportAll(diff)
    const edits = diff.edits()
    expect([...edits.keys()]).toEqual(USER_DATA_TABLES.map(t => t.name))
    const tx = edits.get('transactions')
    expect(tx).toMatchObject({ unchanged: 2000 - changed - gone, toDelete: added, toInsert: gone, toUpdate: changed, compared: 2000 - gone + added })
    expect(edits.get('accounts')).toMatchObject({ unchanged: 2, toDelete: 0, toInsert: 0 })
    expect(edits.get('preferences')).toMatchObject({ unchanged: 0, toDelete: 0, toInsert: 0, toUpdate: 1 })
    // The export itself is untouched by its tap: header, 4 table lines (format 2), 5 other rows,
    // the transactions, trailer.
    expect(safety.toString('utf8').trimEnd().split('\n')).toHaveLength(1 + USER_DATA_TABLES.length + 5 + 2000 - gone + added + 1)

    const result = await apply({ pool: pool.promise(), userId: USER, tables: USER_DATA_TABLES, prepared, edits })
    expect(result.changes.transactions).toEqual({ unchanged: tx?.unchanged, deleted: tx?.toDelete, inserted: tx?.toInsert, updated: tx?.toUpdate })
    expect(await dumpUser(conn, USER)).toEqual(before)
  })

  it('compares again, inside the transaction, a table whose rows changed in number after the read', async () => {
    const before = await dumpUser(conn, USER)
    const prepared = await spooled(await exportAll())
    await drift()
    const diff = new SnapshotDiff(prepared)
    await exportAll(diff)
    await conn.query('DELETE FROM transactions WHERE user_id = ? AND MOD(id, 50) = 9', [USER])
    await apply({ pool: pool.promise(), userId: USER, tables: USER_DATA_TABLES, prepared, edits: diff.edits() })
    expect(await dumpUser(conn, USER)).toEqual(before)
  })
})
