// The demo seed against the real database and server: the user it creates can sign in, its data
// passes the API, both load paths (LOAD DATA and INSERT) write identical rows, and re-running is idempotent.
import mysql from 'mysql2/promise'
import { describe, expect, inject, it } from 'vitest'
import { seedUser } from '../../scripts/lib/seed.mjs'
import { http, uniqueEmail } from '../support/api'

const base = () => inject('stack').baseURL
const url = () => inject('stack').databaseUrl

async function rowsOf(userId: number) {
  const conn = await mysql.createConnection({ uri: url(), dateStrings: true })
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      `SELECT a.name AS account, c.name AS category, t.amount, t.date, t.description, t.notes, t.tags
       FROM transactions t JOIN accounts a ON a.id = t.account_id LEFT JOIN categories c ON c.id = t.category_id
       WHERE t.user_id = ? ORDER BY t.id`, [userId])
    return rows
  }
  finally { await conn.end() }
}

describe('seedUser', () => {
  it('creates a user who can sign in and whose ledger the API serves', async () => {
    const email = uniqueEmail('seed')
    const r = await seedUser({ url: url(), email, password: 'seed password 123', transactions: 2000 })
    expect(r).toMatchObject({ skipped: false, method: 'infile', counts: { accounts: 6, transactions: 2000 } })
    expect(r.counts.categories).toBeGreaterThan(10)

    const login = await http(base(), 'POST', '/api/auth/login', { body: { email, password: 'seed password 123' } })
    expect(login.status).toBe(200)
    const token = login.body.token.accessToken
    const summary = (await http(base(), 'GET', '/api/ledger/summary', { token })).body
    expect(summary.accounts.map((a: any) => a.currency).sort()).toEqual(['BRL', 'BRL', 'BRL', 'BRL', 'EUR', 'USD'])
    expect(summary.accounts.reduce((n: number, a: any) => n + a.transactionCount, 0)).toBe(2000)
    const page = (await http(base(), 'GET', '/api/transactions?pageSize=100', { token })).body
    expect(page.total).toBe(2000)
    for (const tx of page.items) {
      expect(tx.amount).toMatch(/^-?\d+\.\d{2}$/)
      expect(Array.isArray(tx.tags)).toBe(true)
    }
    const categories = (await http(base(), 'GET', '/api/categories?pageSize=100', { token })).body.items
    expect(categories.some((c: any) => c.parentName === 'Alimentação' && c.name === 'Açougue')).toBe(true)

    const again = await seedUser({ url: url(), email, password: 'seed password 123', transactions: 2000 })
    expect(again).toMatchObject({ skipped: true, userId: r.userId })
    const replaced = await seedUser({ url: url(), email, password: 'seed password 123', transactions: 300 })
    expect(replaced).toMatchObject({ skipped: false, userId: r.userId, counts: { accounts: 6, transactions: 300 } })
  })

  it('writes the same rows through LOAD DATA and through INSERT, also when LOCAL INFILE is refused (escaping, NULLs, Unicode, JSON)', async () => {
    const a = await seedUser({ url: url(), email: uniqueEmail('infile'), password: 'seed password 123', transactions: 3000, method: 'infile', seed: 7 })
    const b = await seedUser({ url: url(), email: uniqueEmail('insert'), password: 'seed password 123', transactions: 3000, method: 'insert', seed: 7 })
    expect(b.method).toBe('insert')
    const [ra, rb] = [await rowsOf(a.userId), await rowsOf(b.userId)]
    expect(ra).toEqual(rb)
    expect(ra.some(r => r.notes === 'Caminho C:\\Users\\demo\\recibo.pdf')).toBe(true)
    expect(ra.some(r => r.notes === 'Linha 1\nLinha 2')).toBe(true)
    expect(ra.some(r => r.notes === 'Tab\tseparado')).toBe(true)
    const c = await seedUser({ url: url(), email: uniqueEmail('fallback'), password: 'seed password 123', transactions: 3000, localInfile: false, seed: 7 })
    expect(c.method).toBe('insert')
    expect(await rowsOf(c.userId)).toEqual(ra)
    const nulls = ra.filter(r => r.notes === null).length / ra.length
    expect(nulls).toBeGreaterThan(0.25)
    expect(nulls).toBeLessThan(0.35)
  })
})
