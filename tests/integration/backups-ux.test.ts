import { randomUUID } from 'node:crypto'
import { DeleteObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { http, newUser, type TestUser } from '../support/api'
import { connect, seedLedger } from '../support/data'
import { replaceObject, s3Client } from '../support/mutate'
import { startStack, type Stack } from '../support/stack'

// What a person meets on the backup screen, held by the API: links only for objects that exist,
// a backup found invalid stays marked so, notes, which restore a safety backup preceded, file
// names in the user's time zone, and "the team was notified" only when it was.

const base = () => inject('stack').baseURL
const as = (user: TestUser, extra: Record<string, string> = {}) => ({ token: user.accessToken, headers: extra })

async function backup(user: TestUser) {
  const res = await http(base(), 'POST', '/api/backup', { token: user.accessToken })
  expect(res.status).toBe(201)
  return res.body
}
const restore = (user: TestUser, id: string) => http(base(), 'POST', '/api/restore', { ...as(user, { 'accept-language': 'en' }), body: { backup_id: id } })
const getBackup = async (user: TestUser, id: string) => (await http(base(), 'GET', `/api/backups/${id}`, as(user))).body

describe('a download link is issued only for an object that exists', () => {
  let user: TestUser
  beforeAll(async () => { user = await newUser(base(), 'dl') })

  it('missing object: 422 BACKUP_INVALID missing_object, the row becomes invalid, restore refuses the same way', async () => {
    const b = await backup(user)
    await s3Client(inject('stack').s3Endpoint).send(new DeleteObjectCommand({ Bucket: inject('stack').bucket, Key: `users/${user.id}/backups/${b.backup_id}.jsonl.gz` }))
    const res = await http(base(), 'GET', `/api/backups/${b.backup_id}/download`, as(user))
    expect(res.status).toBe(422)
    expect(res.body.data).toMatchObject({ code: 'BACKUP_INVALID', reason: 'missing_object' })
    expect(JSON.stringify(res.body)).not.toContain('X-Amz')
    expect(await getBackup(user, b.backup_id)).toMatchObject({ status: 'invalid', error_code: 'missing_object' })
    const again = await restore(user, b.backup_id)
    expect(again.status).toBe(422)
    expect(again.body.data).toMatchObject({ code: 'BACKUP_INVALID', reason: 'missing_object' })
    // Deleting it is still possible (the only action that makes sense).
    expect((await http(base(), 'DELETE', `/api/backups/${b.backup_id}`, as(user))).status).toBe(204)
  })
})

describe('a backup a restore found invalid says so', () => {
  let user: TestUser
  beforeAll(async () => {
    user = await newUser(base(), 'inv')
    const conn = await connect(inject('stack').databaseUrl)
    await seedLedger(conn, user.id, 5)
    await conn.end()
  })

  it('is marked invalid with its reason; download and restore answer that reason; it still counts toward the quota until deleted', async () => {
    const b = await backup(user)
    const conn = await connect(inject('stack').databaseUrl)
    try {
      const bytes = Buffer.from(await (await fetch(b.urlDownload)).arrayBuffer())
      bytes[bytes.length >> 1]! ^= 0x20
      await replaceObject({ endpoint: inject('stack').s3Endpoint, bucket: inject('stack').bucket, conn, backupId: b.backup_id, bytes, updateRow: false })
    }
    finally { await conn.end() }
    const res = await restore(user, b.backup_id)
    expect(res.status).toBe(422)
    expect(res.body.data.reason).toBe('checksum_mismatch')
    expect(await getBackup(user, b.backup_id)).toMatchObject({ status: 'invalid', error_code: 'checksum_mismatch' })
    const list = await http(base(), 'GET', '/api/backups', as(user))
    expect(list.body.items.find((x: any) => x.backup_id === b.backup_id)).toMatchObject({ status: 'invalid', error_code: 'checksum_mismatch' })
    const dl = await http(base(), 'GET', `/api/backups/${b.backup_id}/download`, as(user))
    expect(dl.status).toBe(422)
    expect(dl.body.data).toMatchObject({ code: 'BACKUP_INVALID', reason: 'checksum_mismatch' })
    expect((await restore(user, b.backup_id)).body.data.reason).toBe('checksum_mismatch')
  })
})

describe('notes, safety backups and file names', () => {
  let user: TestUser
  let other: TestUser
  beforeAll(async () => {
    ;[user, other] = await Promise.all([newUser(base(), 'note'), newUser(base(), 'note-other')])
    const conn = await connect(inject('stack').databaseUrl)
    await seedLedger(conn, user.id, 3)
    await conn.end()
  })

  it('PATCH /api/backups/:id sets, shows and clears a note; validated, Unicode-safe, owner only', async () => {
    const b = await backup(user)
    const set = await http(base(), 'PATCH', `/api/backups/${b.backup_id}`, { ...as(user), body: { note: '  antes de importar o extrato 💜  ' } })
    expect(set.status).toBe(200)
    expect(set.body.note).toBe('antes de importar o extrato 💜')
    const list = await http(base(), 'GET', '/api/backups', as(user))
    expect(list.body.items[0]).toMatchObject({ backup_id: b.backup_id, note: 'antes de importar o extrato 💜' })
    expect((await http(base(), 'PATCH', `/api/backups/${b.backup_id}`, { ...as(user), body: { note: '💜'.repeat(140) } })).body.note).toBe('💜'.repeat(140))

    const tooLong = await http(base(), 'PATCH', `/api/backups/${b.backup_id}`, { ...as(user), body: { note: 'a'.repeat(141) } })
    expect(tooLong.status).toBe(422)
    expect(tooLong.body.data.fields).toEqual({ note: 'validation.tooLong' })
    const lone = await http(base(), 'PATCH', `/api/backups/${b.backup_id}`, { ...as(user), rawBody: '{"note":"x\\ud800"}' })
    expect(lone.status).toBe(422)
    expect(lone.body.data.fields).toEqual({ note: 'validation.unicode' })
    expect((await http(base(), 'PATCH', `/api/backups/${b.backup_id}`, { ...as(user), body: { note: 'x', status: 'completed' } })).status).toBe(422)
    expect((await http(base(), 'PATCH', `/api/backups/${b.backup_id}`, { token: other.accessToken, body: { note: 'mine now' } })).status).toBe(404)
    expect((await getBackup(user, b.backup_id)).note).toBe('💜'.repeat(140))

    expect((await http(base(), 'PATCH', `/api/backups/${b.backup_id}`, { ...as(user), body: { note: '' } })).body.note).toBeNull()
  })

  it('a safety backup names the restore it was taken before; an undo is recorded on it', async () => {
    const b = await backup(user)
    const r = await restore(user, b.backup_id)
    expect(r.status).toBe(200)
    const safety = await getBackup(user, r.body.safety_backup_id)
    expect(safety).toMatchObject({ kind: 'pre-restore', restore_of: b.backup_id, restore_of_created_at: b.created_at, restored_at: null })
    expect((await getBackup(user, b.backup_id)).restored_at).toMatch(/^\d{4}-\d{2}-\d{2}T/)

    const undo = await restore(user, safety.backup_id)
    expect(undo.status).toBe(200)
    expect((await getBackup(user, safety.backup_id)).restored_at).toMatch(/^\d{4}-\d{2}-\d{2}T/)
    const second = await getBackup(user, undo.body.safety_backup_id)
    expect(second).toMatchObject({ restore_of: safety.backup_id, restore_of_created_at: safety.created_at })
    // The list carries the same (joined) fields.
    const list = await http(base(), 'GET', '/api/backups', as(user))
    expect(list.body.items.find((x: any) => x.backup_id === safety.backup_id)).toMatchObject({ restore_of: b.backup_id, restore_of_created_at: b.created_at })
  })

  it('the file is named in the time zone the list shows (cofre_tz), and S3 is asked to serve it under that name', async () => {
    const b = await backup(user)
    const local = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(b.created_at)).reduce<Record<string, string>>((o, p) => ({ ...o, [p.type]: p.value }), {})
    // The extension says the format: format 2 (what the server writes) is zstd.
    expect(b.format_version).toBe(2)
    const expected = `cofre-backup-${local.year}-${local.month}-${local.day}_${local.hour}-${local.minute}-${local.second}.jsonl.zst`
    const link = await http(base(), 'GET', `/api/backups/${b.backup_id}/download`, as(user, { cookie: 'cofre_tz=America/Sao_Paulo' }))
    expect(link.status).toBe(200)
    expect(link.body.filename).toBe(expected)
    expect(new URL(link.body.urlDownload).searchParams.get('response-content-disposition')).toBe(`attachment; filename="${expected}"`)
    expect((await http(base(), 'GET', '/api/backups', as(user, { cookie: 'cofre_tz=America/Sao_Paulo' }))).body.items[0].filename).toBe(expected)
    // An unknown zone is ignored (UTC), never an error.
    const utc = await http(base(), 'GET', `/api/backups/${b.backup_id}`, as(user, { cookie: 'cofre_tz=Mars/Olympus' }))
    expect(utc.body.filename).toBe(`cofre-backup-${b.created_at.slice(0, 10)}_${b.created_at.slice(11, 19).replace(/:/g, '-')}.jsonl.zst`)
  })
})

// S3 unreachable while SNS works, then both down: the error says whether the team was told.
describe('storage errors carry whether the notification went out', () => {
  let stack: Stack
  let user: TestUser
  beforeAll(async () => {
    // S3 at a closed port; SNS is the stack's fauxqs.
    stack = await startStack({ NUXT_S3_ENDPOINT: 'http://127.0.0.1:9', NUXT_S3_REQUEST_TIMEOUT_MS: '3000' })
    user = await newUser(stack.app.baseURL, 'sns')
  }, 60_000)
  afterAll(async () => { await stack?.stop() })

  it('notified: true when SNS took the message, false when it did not; the download link HEADs first', async () => {
    const first = await http(stack.app.baseURL, 'POST', '/api/backup', { token: user.accessToken })
    expect(first.status).toBe(500)
    expect(first.body.data).toEqual({ code: 'STORAGE_ERROR', notified: true })

    // A completed row whose storage is unreachable: no link to a dead end, a STORAGE_ERROR instead.
    const id = randomUUID()
    const conn = await connect(stack.databaseUrl)
    await conn.query('INSERT INTO backups (id, user_id, url, status, kind, size_bytes, sha256, format_version, schema_version, completed_at) VALUES (?, ?, ?, \'completed\', \'manual\', 10, ?, 1, 1, NOW(3))', [id, user.id, 's3://x/y', 'a'.repeat(64)])
    await conn.end()
    const link = await http(stack.app.baseURL, 'GET', `/api/backups/${id}/download`, { token: user.accessToken })
    expect(link.status).toBe(500)
    expect(link.body.data).toEqual({ code: 'STORAGE_ERROR', notified: true })

    await stack.aws.stop()
    const second = await http(stack.app.baseURL, 'POST', '/api/backup', { token: user.accessToken })
    expect(second.status).toBe(500)
    expect(second.body.data).toEqual({ code: 'STORAGE_ERROR', notified: false })
  }, 90_000)
})

describe('filtering transactions by a category includes its subcategories', () => {
  it('a parent finds its children\'s and grandchildren\'s transactions; rows carry the full path', async () => {
    const user = await newUser(base(), 'cat')
    const post = async (path: string, body: unknown) => (await http(base(), 'POST', path, { ...as(user), body })).body
    const account = await post('/api/accounts', { name: 'Conta', currency: 'BRL' })
    const food = await post('/api/categories', { name: 'Alimentação', kind: 'expense' })
    const out = await post('/api/categories', { name: 'Restaurantes', kind: 'expense', parentId: food.id })
    const pizza = await post('/api/categories', { name: 'Pizza', kind: 'expense', parentId: out.id })
    const other = await post('/api/categories', { name: 'Transporte', kind: 'expense' })
    for (const [categoryId, description] of [[food.id, 'feira'], [out.id, 'jantar'], [pizza.id, 'pizza'], [other.id, 'ônibus']] as const) {
      await post('/api/transactions', { accountId: account.id, categoryId, amount: '-10.00', date: '2026-01-02', description })
    }
    const list = async (categoryId: number) => (await http(base(), 'GET', `/api/transactions?categoryId=${categoryId}`, as(user))).body
    const byFood = await list(food.id)
    expect(byFood.total).toBe(3)
    expect(byFood.items.map((t: any) => t.description).sort()).toEqual(['feira', 'jantar', 'pizza'])
    expect(byFood.items.find((t: any) => t.description === 'pizza').categoryPath).toEqual(['Alimentação', 'Restaurantes', 'Pizza'])
    expect((await list(out.id)).total).toBe(2)
    expect((await list(pizza.id)).total).toBe(1)
    const cats = (await http(base(), 'GET', '/api/categories', as(user))).body.items
    expect(cats.find((c: any) => c.id === pizza.id).path).toEqual(['Alimentação', 'Restaurantes', 'Pizza'])
  })
})
