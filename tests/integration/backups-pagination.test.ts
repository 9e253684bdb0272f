import { randomUUID } from 'node:crypto'
import type mysql from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { newUser, type TestUser } from '../support/api'
import { connect } from '../support/data'

const base = () => inject('stack').baseURL
const ROWS = 5000
/** Rows share a created_at in groups of this size, so the cursor must break ties by id. */
const TIE = 7

/** Inserts catalogue rows directly (a user with years of backups), newest `start` seconds ago. */
async function insertBackups(conn: mysql.Connection, userId: number, count: number, start: Date) {
  const rows: unknown[][] = []
  for (let i = 0; i < count; i++) {
    const id = randomUUID()
    const at = new Date(start.getTime() - Math.floor(i / TIE) * 1000).toISOString().replace('T', ' ').replace('Z', '')
    rows.push([id, userId, `s3://cofre-test/users/${userId}/backups/${id}.jsonl.gz`, i % 11 ? 'completed' : 'failed', i % 5 ? 'manual' : 'pre-restore', 123456 + i, 'a'.repeat(64), 1, 1, JSON.stringify({ accounts: 2, categories: 3, transactions: 1000 + i, preferences: 1 }), i % 11 ? null : 'STORAGE_ERROR', at, at])
  }
  for (let i = 0; i < rows.length; i += 1000) {
    await conn.query('INSERT INTO backups (id, user_id, url, status, kind, size_bytes, sha256, format_version, schema_version, row_counts, error_code, created_at, completed_at) VALUES ?', [rows.slice(i, i + 1000)])
  }
}

async function get(token: string, query = '') {
  const res = await fetch(`${base()}/api/backups${query}`, { headers: { authorization: `Bearer ${token}` } })
  const text = await res.text()
  return { status: res.status, bytes: Buffer.byteLength(text), body: JSON.parse(text) }
}

describe('GET /api/backups with thousands of backups', () => {
  let user: TestUser
  let conn: mysql.Connection
  /** Every id, in the order the API must return them: created_at desc, id desc. */
  let expected: string[]

  beforeAll(async () => {
    user = await newUser(base(), 'many')
    conn = await connect(inject('stack').databaseUrl)
    await insertBackups(conn, user.id, ROWS, new Date(Date.now() - 3600_000))
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT id FROM backups WHERE user_id = ? ORDER BY created_at DESC, id DESC', [user.id])
    expected = rows.map(r => r.id as string)
  })
  afterAll(async () => { await conn?.end() })

  it('answers one bounded page by default, newest first, with a cursor to the next', async () => {
    const res = await get(user.accessToken)
    expect(res.status).toBe(200)
    expect(Object.keys(res.body).sort()).toEqual(['items', 'next_cursor'])
    expect(res.body.items).toHaveLength(20)
    expect(res.body.items.map((b: any) => b.backup_id)).toEqual(expected.slice(0, 20))
    expect(res.body.next_cursor).toMatch(/^[\w-]+$/)
    expect(res.bytes).toBeLessThan(20 * 1024)
  })

  it('walks every row exactly once, in order, at the maximum page size, each response bounded — even with rows added meanwhile', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    let largest = 0
    do {
      const res = await get(user.accessToken, `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      expect(res.status).toBe(200)
      expect(res.body.items.length).toBeLessThanOrEqual(100)
      largest = Math.max(largest, res.bytes)
      seen.push(...res.body.items.map((b: any) => b.backup_id))
      cursor = res.body.next_cursor
      // New backups on top (a job finishing) must not shift the pages of the walk in progress.
      if (++pages === 3) await insertBackups(conn, user.id, 10, new Date())
    } while (cursor)
    expect(pages).toBe(ROWS / 100)
    expect(seen).toEqual(expected)
    expect(new Set(seen).size).toBe(ROWS)
    expect(largest).toBeLessThan(100 * 1024)
  })

  it('refuses a page size over the documented maximum and malformed cursors with 422', async () => {
    for (const q of ['?limit=101', '?limit=0', '?limit=-1', '?limit=abc', '?limit=1.5']) {
      const res = await get(user.accessToken, q)
      expect(res.status, q).toBe(422)
      expect(res.body.data).toMatchObject({ code: 'VALIDATION_FAILED', fields: { limit: expect.any(String) } })
    }
    for (const q of ['?cursor=garbage', '?cursor=', `?cursor=${Buffer.from('2026-01-01 00:00:00.000|not-a-uuid').toString('base64url')}`, `?cursor=${Buffer.from(`'; DROP TABLE backups; --|${randomUUID()}`).toString('base64url')}`, '?cursor=a&cursor=b']) {
      const res = await get(user.accessToken, q)
      expect(res.status, q).toBe(422)
      expect(res.body.data).toMatchObject({ code: 'VALIDATION_FAILED', fields: { cursor: expect.any(String) } })
    }
    expect((await fetch(`${base()}/api/backups?limit=5`)).status).toBe(401)
  })

  it('a cursor only pages through the caller\'s own backups', async () => {
    const first = await get(user.accessToken, '?limit=5')
    const other = await newUser(base(), 'many-other')
    expect((await get(other.accessToken)).body).toEqual({ items: [], next_cursor: null })
    expect((await get(other.accessToken, `?cursor=${first.body.next_cursor}`)).body).toEqual({ items: [], next_cursor: null })
  })

  it('the /backups page renders the first page on the server, bounded, with a way to load more', async () => {
    const res = await fetch(`${base()}/backups`, { headers: { cookie: `cofre.access=${user.accessToken}; cofre_locale=en` }, redirect: 'manual' })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html.match(/data-testid="backup-row"/g)).toHaveLength(20)
    const [[newest]] = await conn.query<mysql.RowDataPacket[]>('SELECT id FROM backups WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT 1', [user.id])
    expect(html).toContain(`data-backup-id="${newest!.id}"`)
    expect(html).toContain('data-testid="backups-more"')
    expect(Buffer.byteLength(html)).toBeLessThan(512 * 1024)
  })
})
