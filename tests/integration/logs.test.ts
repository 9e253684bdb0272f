import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { http, newUser, uniqueEmail, type TestUser } from '../support/api'
import { connect } from '../support/data'
import { startStack, type Stack } from '../support/stack'

// A private stack: these tests make the database refuse writes and read the server's own output.
describe('what the server logs when things fail', () => {
  let stack: Stack
  let user: TestUser
  beforeAll(async () => {
    stack = await startStack()
    user = await newUser(stack.app.baseURL, 'logs')
  })
  afterAll(async () => { await stack?.stop() })

  const health = async () => (await fetch(`${stack.app.baseURL}/api/health`)).status
  const crashes = (logs: string) => logs.split('\n').filter(l => /uncaught|unhandled/i.test(l))

  it('an oversized chunked body aborted mid-way is handled: no uncaught exception, the server stays healthy', async () => {
    const url = new URL('/api/auth/login', stack.app.baseURL)
    for (let round = 0; round < 5; round++) {
      await new Promise<void>((resolve) => {
        const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } })
        req.on('error', () => resolve())
        req.on('response', (res) => { res.resume(); res.on('close', () => resolve()) })
        req.on('close', () => resolve())
        // Past the 64 KiB limit, then cut the connection without finishing the body.
        let sent = 0
        const pump = () => {
          while (sent < (round % 2 ? 200_000 : 60_000)) {
            sent += 10_000
            if (!req.write('x'.repeat(10_000))) return req.once('drain', pump)
          }
          setTimeout(() => req.destroy(), 20)
        }
        pump()
      })
    }
    await new Promise(r => setTimeout(r, 500))
    expect(await health()).toBe(200)
    expect(stack.app.child.exitCode).toBeNull()
    expect(crashes(stack.app.logs())).toEqual([])
  })

  it('failing writes log codes and ids, never the values sent (notes, amounts, passwords)', async () => {
    const base = stack.app.baseURL
    const account = await http(base, 'POST', '/api/accounts', { token: user.accessToken, body: { name: 'Conta Base', currency: 'BRL' } })
    expect(account.status).toBe(201)
    const existing = await http(base, 'POST', '/api/transactions', { token: user.accessToken, body: { accountId: account.body.id, amount: '1.00', date: '2026-01-02', description: 'existing' } })
    expect(existing.status).toBe(201)

    // The database refuses every write to these tables (reads still work), as a full disk, a
    // read-only replica or a revoked privilege would: the error reaches the logger.
    const conn = await connect(stack.databaseUrl)
    const tables = ['users', 'accounts', 'categories', 'transactions']
    try {
      for (const t of tables) {
        for (const op of ['INSERT', 'UPDATE']) {
          await conn.query(`CREATE TRIGGER refuse_${op.toLowerCase()}_${t} BEFORE ${op} ON \`${t}\` FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'writes refused for this test'`)
        }
      }
      const secret = {
        description: 'Aluguel-secreto-7Q2Z',
        notes: 'nota-confidencial-X9K4',
        amount: '48213.77',
        tag: 'tag-privada-M3V8',
        accountName: 'Conta-oculta-P5R1',
        balance: '99173.41',
        categoryName: 'Categoria-reservada-L6T2',
        password: 'senha-distinta-W8N3-correct-horse',
        email: uniqueEmail('logsecret-J4H7'),
        name: 'Nome-registro-B2C9',
      }
      const writes = [
        await http(base, 'POST', '/api/transactions', { token: user.accessToken, body: { accountId: account.body.id, amount: secret.amount, date: '2026-03-04', description: secret.description, notes: secret.notes, tags: [secret.tag] } }),
        await http(base, 'PATCH', `/api/transactions/${existing.body.id}`, { token: user.accessToken, body: { notes: secret.notes, amount: secret.amount } }),
        await http(base, 'POST', '/api/accounts', { token: user.accessToken, body: { name: secret.accountName, currency: 'EUR', openingBalance: secret.balance } }),
        await http(base, 'POST', '/api/categories', { token: user.accessToken, body: { name: secret.categoryName, kind: 'expense' } }),
        await http(base, 'POST', '/api/auth/register', { body: { email: secret.email, name: secret.name, password: secret.password } }),
      ]
      for (const w of writes) expect(w.status).toBe(500)
      await new Promise(r => setTimeout(r, 200))

      const logs = stack.app.logs()
      const failures = logs.split('\n').filter(l => l.includes('"level":50'))
      expect(failures.length).toBeGreaterThanOrEqual(writes.length)
      for (const value of Object.values(secret)) expect(logs, value).not.toContain(value)
      // Nor the password hash that register computed, nor the SQL the driver ran.
      expect(logs).not.toContain('scrypt$')
      expect(logs).not.toMatch(/params:|insert into|update `/i)
      // What an operator needs is there: the driver's error code and SQL state.
      expect(logs).toContain('ER_SIGNAL_EXCEPTION')
      expect(logs).toContain('"sqlState":"45000"')
    }
    finally {
      for (const t of tables) {
        for (const op of ['insert', 'update']) await conn.query(`DROP TRIGGER IF EXISTS refuse_${op}_${t}`)
      }
      await conn.end()
    }
  })
})
