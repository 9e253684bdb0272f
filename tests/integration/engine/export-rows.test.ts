// The exporter driven directly (no HTTP, no S3), against the real MariaDB: the lines it writes for
// a user's ledger, in registry and key order, with a trailer whose counts and digest hold, in
// both layouts (format 2: a table line, then bare rows; format 1: every row wrapped).
import { createHash } from 'node:crypto'
import mysql from 'mysql2'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { connectionOptions } from '../../../server/db/client'
import { USER_DATA_TABLES } from '../../../server/db/registry'
import { lineOf, lineSelect } from '../../../server/engine/db/row-lines'
import { exportUserRows } from '../../../server/engine/export/export-rows'
import { connect, seedLedger } from '../../support/data'

const USER = 8_100_000 + Math.floor(Math.random() * 100_000)
let pool: mysql.Pool

beforeAll(async () => {
  pool = mysql.createPool(connectionOptions(inject('stack').databaseUrl, 2))
  const conn = await connect(inject('stack').databaseUrl)
  await seedLedger(conn, USER, 3000)
  await conn.end()
})
afterAll(async () => { await new Promise(r => pool.end(r)) })

describe('exportUserRows', () => {
  it.each([2, 1] as const)('format %i: writes the header, every row of the user in registry and key order, then a trailer that checks out', async (formatVersion) => {
    const chunks: Buffer[] = []
    const result: { rowCounts?: Record<string, number>, digest?: string } = {}
    const events: number[] = []
    const totals = new Set<number | undefined>()
    for await (const c of exportUserRows({ pool, userId: USER, backupId: 'b', tables: USER_DATA_TABLES, app: { name: 'cofre', version: 'test' }, formatVersion, chunkBytes: 16 * 1024, onProgress: (e) => { events.push(e.done); totals.add(e.total) } }, result)) chunks.push(c)
    expect(chunks.length).toBeGreaterThan(3)
    const text = Buffer.concat(chunks).toString('utf8')
    const lines = text.trimEnd().split('\n').map(l => JSON.parse(l))
    const header = lines[0]
    expect(header).toMatchObject({ type: 'header', format: 'cofre-backup', version: formatVersion, userId: USER, backupId: 'b' })
    expect(header.tables.map((t: { name: string }) => t.name)).toEqual(USER_DATA_TABLES.map(t => t.name))

    let rows = lines.slice(1, -1)
    if (formatVersion === 2) {
      // Every table's line, in header order, each followed by its rows as bare arrays.
      const tableLines = rows.filter(l => !Array.isArray(l))
      expect(tableLines).toEqual(USER_DATA_TABLES.map(t => ({ t: t.name })))
      let t: string | undefined
      rows = rows.flatMap((l) => { if (!Array.isArray(l)) { t = l.t; return [] } return [{ t, r: l }] })
    }
    else expect(rows.every(l => typeof l.t === 'string' && Array.isArray(l.r))).toBe(true)
    const order = rows.map(r => USER_DATA_TABLES.findIndex(t => t.name === r.t))
    expect(order).toEqual([...order].sort((a, b) => a - b))
    const txIds = rows.filter(r => r.t === 'transactions').map(r => r.r[0] as number)
    expect(txIds).toHaveLength(3000)
    expect(txIds).toEqual([...txIds].sort((a, b) => a - b))
    // No owner column in a row: ownership is the header's, re-applied on restore.
    expect(rows[0].r).toHaveLength(USER_DATA_TABLES[0]!.columns.length)

    const trailer = lines.at(-1)
    const before = text.slice(0, text.lastIndexOf('{"type":"trailer"'))
    expect(trailer).toEqual({ type: 'trailer', rowCounts: { accounts: 2, categories: 2, transactions: 3000, preferences: 1 }, digest: `sha256:${createHash('sha256').update(before).digest('hex')}` })
    expect(result).toEqual({ rowCounts: trailer.rowCounts, digest: trailer.digest })
    expect(events.at(-1)).toBe(3005)
    // The total is the exact count, from the export's own snapshot, from the first event on.
    expect([...totals]).toEqual([3005])
  })

  it('the database writes each row\'s line: the same text JSON.stringify makes of the row the driver parses, for every kind of value', async () => {
    const user = USER + 1
    const conn = await connect(inject('stack').databaseUrl)
    const { accountIds } = await seedLedger(conn, user, 20)
    // Values that stress the server's serialization: every JSON escape JSON.stringify makes, a
    // non-BMP character, U+2028 (not escaped by either), NULLs, the widest decimals, a JSON column
    // stored with spacing (MySQL 8 always keeps it so), nested JSON with escapes.
    const tricky = ['"\\/\b\f\n\r\t', 'emoji 😀 e acentuação', '\u2028\u2029\u00a0', '']
    const [ids] = await conn.query<any[]>('SELECT id FROM transactions WHERE user_id = ? ORDER BY id LIMIT 4', [user])
    for (const [i, { id }] of ids.entries()) {
      await conn.query('UPDATE transactions SET description = ?, notes = ?, amount = ?, tags = ? WHERE id = ?', [tricky[i], i % 2 ? null : tricky[(i + 1) % 4], ['-999999999999.99', '999999999999.99', '0.00', '-0.01'][i], ['[ "a" ,  "b\\n" ]', '{"k": {"n": [1, 2.5, null, true]}, "é": "\\u00e9"}', '["casa","ação, 😀 [x]"]', '"x"'][i], id])
    }
    await conn.query('UPDATE accounts SET name = ?, opening_balance = ? WHERE id = ?', ['Conta "aspas" \\ barra', '-0.10', accountIds[0]])
    await conn.query('UPDATE categories SET parent_id = NULL WHERE user_id = ?', [user])
    for (const table of USER_DATA_TABLES) {
      const { sql, pieces } = lineSelect(table)
      const [lines] = await conn.query<any[]>({ sql, values: [user, 0, Number.MAX_SAFE_INTEGER], rowsAsArray: true })
      // The reference: the driver's values, JSON columns as text (parsed here: never ambiguous).
      const [rows] = await conn.query<any[]>({ sql: `SELECT ${table.columns.map(c => (c.kind === 'json' ? `CAST(\`${c.name}\` AS CHAR)` : `\`${c.name}\``)).join(', ')} FROM \`${table.name}\` WHERE user_id = ? ORDER BY id`, values: [user], rowsAsArray: true })
      expect(lines.length).toBe(rows.length)
      expect(lines.length).toBeGreaterThan(0)
      rows.forEach((row: unknown[], r: number) => {
        const parsed = row.map((v, c) => (table.columns[c]!.kind === 'json' && typeof v === 'string' ? JSON.parse(v) : v))
        expect(lineOf(lines[r], pieces)).toBe(JSON.stringify(parsed))
      })
    }
    await conn.end()
  })

  it('reads only the span of keys the user owns, and every row in it: rows interleaved with other users\', the first and last keys, a table with none', async () => {
    const [a, b] = [USER + 3, USER + 4]
    const conn = await connect(inject('stack').databaseUrl)
    const seeded = await Promise.all([seedLedger(conn, a, 0), seedLedger(conn, b, 0)])
    // Transactions inserted in turn, so each user's keys interleave with the other's; b's rows
    // come first and last, so a's span holds b's rows on both sides.
    const row = (user: number, i: number) => [user, seeded[user === a ? 0 : 1].accountIds[0], null, `${i}.00`, '2024-01-01', `r${i}`, null, '["x"]']
    for (let i = 0; i < 30; i++) await conn.query('INSERT INTO transactions (user_id, account_id, category_id, amount, date, description, notes, tags) VALUES (?)', [row(i % 3 === 0 ? b : a, i)])
    await conn.query('INSERT INTO transactions (user_id, account_id, category_id, amount, date, description, notes, tags) VALUES (?)', [row(b, 99)])
    await conn.query('DELETE FROM categories WHERE user_id = ?', [a])
    const [expected] = await conn.query<any[]>('SELECT id FROM transactions WHERE user_id = ? ORDER BY id', [a])
    expect(expected).toHaveLength(20)
    const chunks: Buffer[] = []
    const result: { rowCounts?: Record<string, number> } = {}
    for await (const c of exportUserRows({ pool, userId: a, backupId: 'b', tables: USER_DATA_TABLES, app: { name: 'cofre', version: 'test' } }, result)) chunks.push(c)
    const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n').map(l => JSON.parse(l))
    const start = lines.findIndex(l => l.t === 'transactions')
    const after = lines.slice(start + 1)
    const txIds = after.slice(0, after.findIndex(l => !Array.isArray(l))).map(r => r[0])
    expect(txIds).toEqual(expected.map(r => r.id))
    expect(result.rowCounts).toEqual({ accounts: 2, categories: 0, transactions: 20, preferences: 1 })
    await conn.end()
  })

  it('control characters JSON.stringify writes in lower-case hex come out in upper case (\\u001F): the same value, a line that reads back equal', async () => {
    const user = USER + 2
    const conn = await connect(inject('stack').databaseUrl)
    await seedLedger(conn, user, 1)
    const weird = String.fromCharCode(0, 1, 0x0b, 0x1f, 0x7f)
    await conn.query('UPDATE transactions SET description = ? WHERE user_id = ?', [weird, user])
    const chunks: Buffer[] = []
    for await (const c of exportUserRows({ pool, userId: user, backupId: 'b', tables: USER_DATA_TABLES, app: { name: 'cofre', version: 'test' } })) chunks.push(c)
    const row = Buffer.concat(chunks).toString('utf8').split('\n').find(l => l.includes('\\u001'))!
    expect(row).toContain('\\u0000\\u0001\\u000B\\u001F\u007f')
    expect(JSON.parse(row)[5]).toBe(weird)
    await conn.end()
  })
})
