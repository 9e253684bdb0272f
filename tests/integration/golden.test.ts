// Backups made by earlier versions of Cofre must restore in every later version. The committed
// files under tests/fixtures/ were written by the real server (format 1 gzip, schema 1; format 2
// zstd, schema 1) and by hand for the pre-release schema 0 (accounts.opening, renamed to
// opening_balance by an upgrade step). COFRE_WRITE_GOLDEN=1 npx vitest run tests/integration/golden.test.ts
// writes the golden file of the format the server writes today, and never overwrites one.
import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { SignJWT } from 'jose'
import { describe, expect, inject, it } from 'vitest'
import { http } from '../support/api'
import { connect, dumpUser, gunzipLines } from '../support/data'
import { s3Client, serialize, sha256 } from '../support/mutate'

const FIXTURES = new URL('../fixtures/', import.meta.url)
const GOLDEN_V1 = new URL('backup-v1-golden.jsonl.gz', FIXTURES)
const GOLDEN_V2 = new URL('backup-v2-golden.jsonl.zst', FIXTURES)
const GOLDEN_V0 = new URL('backup-v0-renamed-field.jsonl.gz', FIXTURES)
const GOLDEN_USER = 9_000_001

async function tokenFor(userId: number) {
  return new SignJWT({ fid: randomUUID() }).setProtectedHeader({ alg: 'HS256' }).setSubject(String(userId)).setIssuer('cofre').setAudience('cofre-api')
    .setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(inject('stack').env.NUXT_JWT_SECRET!))
}

async function ensureGoldenUser(conn: Awaited<ReturnType<typeof connect>>) {
  await conn.query('INSERT IGNORE INTO users (id, email, name, password_hash) VALUES (?, ?, ?, ?)', [GOLDEN_USER, 'golden@test.cofre', 'Golden', 'x'])
}

async function seedGoldenData(conn: Awaited<ReturnType<typeof connect>>) {
  const u = GOLDEN_USER
  await conn.query('INSERT INTO accounts (id, user_id, name, currency, opening_balance, created_at, updated_at) VALUES (9000001, ?, \'Conta Corrente Ação 🏦\', \'BRL\', \'-1234567890.12\', \'2020-01-02 03:04:05.678\', \'2020-01-02 03:04:05.678\'), (9000002, ?, \'Savings "q" \\\\ b\', \'USD\', \'0.10\', \'2021-06-30 23:59:59.000\', \'2021-07-01 00:00:00.001\')', [u, u])
  // The child (9000002) has a smaller id than its parent: restore must not depend on id order.
  await conn.query('INSERT INTO categories (id, user_id, name, kind, parent_id, created_at, updated_at) VALUES (9000003, ?, \'Alimentação\', \'expense\', NULL, \'2020-01-01 00:00:00.000\', \'2020-01-01 00:00:00.000\'), (9000002, ?, \'Café ☕\', \'expense\', 9000003, \'2020-01-01 00:00:00.000\', \'2020-01-01 00:00:00.000\'), (9000004, ?, \'Salário\', \'income\', NULL, \'2020-01-01 00:00:00.000\', \'2020-01-01 00:00:00.000\')', [u, u, u])
  await conn.query('INSERT INTO transactions (id, user_id, account_id, category_id, amount, date, description, notes, tags, created_at, updated_at) VALUES (9000001, ?, 9000001, 9000002, \'-4.50\', \'2024-02-29\', \'Café ☕ — padaria\', NULL, \'[]\', \'2024-02-29 08:00:00.000\', \'2024-02-29 08:00:00.000\'), (9000002, ?, 9000001, 9000004, \'12345678.90\', \'1999-12-31\', \'Salário 🎉\', \'nota com\\nquebra e "aspas"\', \'["trabalho","mensal"]\', \'2000-01-01 00:00:00.000\', \'2000-01-01 00:00:00.000\'), (9000003, ?, 9000002, NULL, \'0.01\', \'2026-11-25\', \'Ümlaut ñ 日本\', \'\', \'["x"]\', \'2026-11-25 10:00:00.000\', \'2026-11-25 10:00:00.000\')', [u, u, u])
  await conn.query('INSERT INTO preferences (id, user_id, locale, theme, default_currency, updated_at) VALUES (9000001, ?, \'pt-BR\', \'dark\', \'BRL\', \'2022-02-02 02:02:02.000\')', [u])
}

async function restoreFile(bytes: Buffer, formatVersion = 1) {
  const s = inject('stack')
  const conn = await connect(s.databaseUrl)
  await ensureGoldenUser(conn)
  const id = randomUUID()
  const key = `users/${GOLDEN_USER}/backups/${id}.jsonl.gz`
  await s3Client(s.s3Endpoint).send(new PutObjectCommand({ Bucket: s.bucket, Key: key, Body: bytes }))
  await conn.query('INSERT INTO backups (id, user_id, url, status, kind, size_bytes, sha256, format_version, schema_version, completed_at) VALUES (?, ?, ?, \'completed\', \'manual\', ?, ?, ?, 1, NOW(3))', [id, GOLDEN_USER, `s3://${s.bucket}/${key}`, bytes.length, sha256(bytes), formatVersion])
  const res = await http(s.baseURL, 'POST', '/api/restore', { token: await tokenFor(GOLDEN_USER), body: { backup_id: id } })
  const data = await dumpUser(conn, GOLDEN_USER)
  await conn.end()
  return { res, data }
}

/** The rows a file carries, by table and column name. */
async function rowsOf(bytes: Buffer) {
  const lines = await gunzipLines(bytes)
  const out: Record<string, unknown[]> = {}
  for (const t of lines[0].tables) out[t.name] = lines.filter(l => l.t === t.name).map(l => Object.fromEntries(t.columns.map((c: { name: string }, i: number) => [c.name === 'opening' ? 'opening_balance' : c.name, l.r[i]])))
  return out
}

describe('golden backups from earlier versions', () => {
  if (process.env.COFRE_WRITE_GOLDEN === '1') {
    it('writes the golden fixtures from the running server', async () => {
      const s = inject('stack')
      const conn = await connect(s.databaseUrl)
      await ensureGoldenUser(conn)
      for (const t of ['transactions', 'categories', 'accounts', 'preferences']) await conn.query(`DELETE FROM ${t} WHERE user_id = ?`, [GOLDEN_USER])
      await seedGoldenData(conn)
      await conn.end()
      const res = await http(s.baseURL, 'POST', '/api/backup', { token: await tokenFor(GOLDEN_USER) })
      expect(res.status).toBe(201)
      const bytes = Buffer.from(await (await fetch(res.body.urlDownload)).arrayBuffer())
      const lines = await gunzipLines(bytes)
      const golden = new URL(`backup-v${lines[0].version}-golden.${lines[0].version === 2 ? 'jsonl.zst' : 'jsonl.gz'}`, FIXTURES)
      if (!existsSync(golden)) writeFileSync(golden, bytes)
      if (!existsSync(GOLDEN_V0)) {
        const v0 = lines.map(l => (l.type === 'header' ? { ...l, version: 1 } : l))
        v0[0].schemaVersion = 0
        for (const c of v0[0].tables.find((t: any) => t.name === 'accounts').columns) if (c.name === 'opening_balance') c.name = 'opening'
        writeFileSync(GOLDEN_V0, serialize(v0, { version: 1 }))
      }
    })
  }

  it('restores the committed format-1 golden file exactly', async () => {
    expect(existsSync(GOLDEN_V1)).toBe(true)
    const bytes = readFileSync(GOLDEN_V1)
    const { res, data } = await restoreFile(bytes)
    expect(res.status).toBe(200)
    expect(res.body.restored).toEqual({ accounts: 2, categories: 3, transactions: 3, preferences: 1 })
    expect(data).toEqual(await rowsOf(bytes))
    expect((data.transactions as any[])[1]).toMatchObject({ amount: '12345678.90', date: '1999-12-31', tags: ['trabalho', 'mensal'] })
  })

  it('restores the committed format-2 golden file (zstd, bare rows) exactly', async () => {
    expect(existsSync(GOLDEN_V2)).toBe(true)
    const bytes = readFileSync(GOLDEN_V2)
    expect(bytes.readUInt32LE(0)).toBe(0xFD2FB528)
    const lines = await gunzipLines(bytes)
    expect(lines[0]).toMatchObject({ format: 'cofre-backup', version: 2, schemaVersion: 1 })
    const { res, data } = await restoreFile(bytes, 2)
    expect(res.status).toBe(200)
    expect(res.body.restored).toEqual({ accounts: 2, categories: 3, transactions: 3, preferences: 1 })
    expect(data).toEqual(await rowsOf(bytes))
    expect((data.transactions as any[])[1]).toMatchObject({ amount: '12345678.90', date: '1999-12-31', tags: ['trabalho', 'mensal'] })
    // Both goldens hold the same ledger.
    expect(await rowsOf(bytes)).toEqual(await rowsOf(readFileSync(GOLDEN_V1)))
  })

  it('upgrades and restores the schema-0 file (accounts.opening → opening_balance)', async () => {
    const bytes = readFileSync(GOLDEN_V0)
    const lines = await gunzipLines(bytes)
    expect(lines[0].schemaVersion).toBe(0)
    expect(lines[0].tables[0].columns.map((c: any) => c.name)).toContain('opening')
    const { res, data } = await restoreFile(bytes)
    expect(res.status).toBe(200)
    expect(data).toEqual(await rowsOf(bytes))
    expect((data.accounts as any[])[0].opening_balance).toBe('-1234567890.12')
  })
})
