// Direct database access for tests: seeding rows fast and reading a user's data back exactly.
import { gunzipSync, zstdDecompressSync } from 'node:zlib'
import mysql from 'mysql2/promise'
import { connectionOptions } from '../../server/db/client'
import { USER_DATA_TABLES } from '../../server/db/registry'
import { http } from './api'

export async function connect(url: string) {
  const { connectionLimit: _ignored, ...opts } = connectionOptions(url, 1)
  return mysql.createConnection({ ...opts, multipleStatements: false })
}

/** Inserts a varied ledger for a user: every column type, edge values, Unicode, NULLs, JSON. */
export async function seedLedger(conn: mysql.Connection, userId: number, transactions = 50) {
  const [a1] = await conn.query<mysql.ResultSetHeader>('INSERT INTO accounts (user_id, name, currency, opening_balance) VALUES (?, ?, ?, ?)', [userId, 'Conta Corrente Ação 🏦', 'BRL', '-1234567890.12'])
  const [a2] = await conn.query<mysql.ResultSetHeader>('INSERT INTO accounts (user_id, name, currency, opening_balance) VALUES (?, ?, ?, ?)', [userId, 'Savings "quoted" \\ back', 'USD', '0.10'])
  const [c1] = await conn.query<mysql.ResultSetHeader>('INSERT INTO categories (user_id, name, kind, parent_id) VALUES (?, ?, ?, NULL)', [userId, 'Alimentação', 'expense'])
  const [c2] = await conn.query<mysql.ResultSetHeader>('INSERT INTO categories (user_id, name, kind, parent_id) VALUES (?, ?, ?, ?)', [userId, 'Café ☕', 'expense', c1.insertId])
  await conn.query('INSERT INTO preferences (user_id, locale, theme, default_currency) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE theme = VALUES(theme)', [userId, 'en', 'dark', 'EUR'])
  const rows: unknown[][] = []
  for (let i = 0; i < transactions; i++) {
    rows.push([userId, i % 2 ? a1.insertId : a2.insertId, i % 3 === 0 ? null : c2.insertId, `${i % 2 ? '-' : ''}${i}.${String(i % 100).padStart(2, '0')}`, `202${i % 5}-0${1 + (i % 9)}-1${i % 9}`, `Compra nº ${i} — çãé 🎉`, i % 4 === 0 ? null : `nota\n"${i}"\t`, JSON.stringify(i % 5 === 0 ? [] : ['tag', `t${i}`, 'ümlaut'])])
  }
  for (let i = 0; i < rows.length; i += 1000) {
    await conn.query('INSERT INTO transactions (user_id, account_id, category_id, amount, date, description, notes, tags) VALUES ?', [rows.slice(i, i + 1000)])
  }
  return { accountIds: [a1.insertId, a2.insertId], categoryIds: [c1.insertId, c2.insertId] }
}

/** Every registered table's rows for a user, in primary-key order, as the driver returns them. */
export async function dumpUser(conn: mysql.Connection, userId: number) {
  const out: Record<string, unknown[]> = {}
  for (const t of USER_DATA_TABLES) {
    const [rows] = await conn.query({ sql: `SELECT ${t.columns.map(c => `\`${c.name}\``).join(', ')} FROM \`${t.name}\` WHERE user_id = ? ORDER BY id`, values: [userId] })
    out[t.name] = (rows as Record<string, unknown>[]).map(r => ({ ...r, ...(r.tags !== undefined ? { tags: typeof r.tags === 'string' ? JSON.parse(r.tags) : r.tags } : {}) }))
  }
  return out
}

/**
 * A backup file's lines in one shape whatever its format: the header, one `{ t, r }` per row
 * (format 1 as written; format 2's table lines and bare arrays folded into it), the trailer.
 * The tests edit these and re-serialize them with support/mutate.ts `serialize`.
 */
export async function backupLines(bytes: Buffer): Promise<any[]> {
  const zstd = bytes.length >= 4 && bytes.readUInt32LE(0) === 0xFD2FB528
  const lines = (zstd ? zstdDecompressSync(bytes) : gunzipSync(bytes)).toString('utf8').trimEnd().split('\n').map(l => JSON.parse(l))
  if (lines[0]?.version !== 2) return lines
  const out: any[] = []
  let table: string | undefined
  for (const l of lines) {
    if (Array.isArray(l)) out.push({ t: table, r: l })
    else if (l.t !== undefined && l.type === undefined) table = l.t
    else out.push(l)
  }
  return out
}

/** @deprecated backupLines (the name predates format 2, zstd). */
export const gunzipLines = backupLines

const TX = USER_DATA_TABLES.find(t => t.name === 'transactions')!
const TX_ID = TX.columns.findIndex(c => c.name === 'id')
const TX_DESCRIPTION = TX.columns.findIndex(c => c.name === 'description')

/** id → description of every transaction row in a stored backup, read back through its download link. */
export async function transactionsInBackup(baseURL: string, token: string, backupId: string): Promise<Map<number, string>> {
  const link = await http(baseURL, 'GET', `/api/backups/${backupId}/download`, { token })
  if (link.status !== 200) throw new Error(`download link of ${backupId}: ${link.status}`)
  const file = Buffer.from(await (await fetch(link.body.urlDownload)).arrayBuffer())
  const rows = (await gunzipLines(file)).filter(l => l.t === 'transactions')
  return new Map(rows.map(l => [Number(l.r[TX_ID]), String(l.r[TX_DESCRIPTION])]))
}

/**
 * Waits until a statement matching `like` runs on `database` (other tests share the MariaDB
 * server, so the database must be part of the match), then optionally KILLs its connection.
 * Returns true if found (and killed).
 */
export async function waitForStatement(conn: mysql.Connection, database: string, like: string, o: { kill?: boolean, timeoutMs?: number } = {}) {
  const deadline = Date.now() + (o.timeoutMs ?? 20_000)
  while (Date.now() < deadline) {
    const [procs] = await conn.query<mysql.RowDataPacket[]>('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE ? AND ID <> CONNECTION_ID()', [database, like])
    if (procs.length) {
      if (o.kill) await conn.query(`KILL ${Number(procs[0]!.id)}`)
      return true
    }
    await new Promise(r => setTimeout(r, 3))
  }
  return false
}

export const databaseName = (url: string) => new URL(url).pathname.slice(1)
