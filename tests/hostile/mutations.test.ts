// A generated corpus of mutated backups, each restored through the real API against MariaDB and
// fauxqs: every one must be refused with 422 BACKUP_INVALID and a reason (never 2xx, never 500),
// and the user's data must stay byte-for-byte the same. The corpus runs on a backup the server
// wrote (format 2, zstd) and on the same lines as a format-1 file (gzip), which every restore
// still reads. Size per format: COFRE_HOSTILE_MUTATIONS (default 64 in `npm test`, 240 in
// `npm run test:hostile`); seed: COFRE_HOSTILE_SEED.
import { randomUUID } from 'node:crypto'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { BACKUP_INVALID_REASONS } from '../../shared/errors'
import { http, newUser, type TestUser } from '../support/api'
import { backupLines, connect, dumpUser, seedLedger } from '../support/data'
import { compress, encodeLines, s3Client, serialize, sha256 } from '../support/mutate'

const COUNT = Number(process.env.COFRE_HOSTILE_MUTATIONS ?? 64)
const SEED = Number(process.env.COFRE_HOSTILE_SEED ?? 20261125)

/** mulberry32: a small deterministic PRNG, so a failing mutation can be replayed by its seed. */
function prng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! }
}
type Rng = ReturnType<typeof prng>

// `content`: the file is registered with its own size and hash, so the catalogue checks pass and
// the refusal must come from reading it (gzip, lines, values, digest); which one depends on where
// the flipped bit lands.
interface Mutation { bytes: Buffer, registered: boolean, reasons: readonly string[] | 'content' }
const CATALOGUE_REASONS = ['missing_object', 'checksum_mismatch', 'size_mismatch']
interface Ctx { version: 1 | 2, bytes: Buffer, lines: any[], otherBytes: Buffer, otherUserId: number }
/** Re-serializes in the corpus's own format, whatever a mutation did to the header's version. */
const ser = (c: Ctx, l: any[], o: Parameters<typeof serialize>[1] = {}) => serialize(l, { ...o, version: c.version })

/**
 * Bytes at the start of the file that no checksum covers: gzip's header (10 bytes: flags, mtime,
 * OS); zstd's frame header (magic, descriptor, window, dictionary id, content size), whose unused
 * bit or a larger window leave the content as it was.
 */
function uncheckedHeaderBytes(c: Ctx) {
  if (c.version === 1) return 10
  const fhd = c.bytes[4]!
  const single = (fhd >> 5) & 1
  const fcs = [single ? 1 : 0, 2, 4, 8][fhd >> 6]!
  return 4 + 1 + (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3]! + fcs
}

const rowIdx = (l: any[]) => l.flatMap((x, i) => (x.t ? [i] : []))
const colsOf = (l: any[], table: string) => l[0].tables.find((t: any) => t.name === table).columns as { name: string, type: string }[]

// Each generator is one family of damage; `registered` means the catalogue row is updated to
// the mutated object's size and SHA-256 (an attacker who could also write the database), which
// forces the deeper checks; otherwise the object-level checks must catch it.
const GENERATORS: Record<string, (c: Ctx, r: Rng) => Mutation> = {
  'bit flip': (c, r) => { const b = Buffer.from(c.bytes); b[r.int(b.length)]! ^= 1 << r.int(8); return { bytes: b, registered: false, reasons: ['checksum_mismatch'] } },
  // The container's header is not covered by a checksum (uncheckedHeaderBytes); flip past it.
  'bit flip, registered': (c, r) => { const skip = uncheckedHeaderBytes(c); const b = Buffer.from(c.bytes); b[skip + r.int(b.length - skip)]! ^= 1 << r.int(8); return { bytes: b, registered: true, reasons: 'content' } },
  'truncation': (c, r) => ({ bytes: c.bytes.subarray(0, r.int(c.bytes.length)), registered: false, reasons: ['size_mismatch'] }),
  'truncation, registered': (c, r) => ({ bytes: c.bytes.subarray(0, r.int(c.bytes.length)), registered: true, reasons: ['truncated', 'not_gzip', 'malformed'] }),
  'appended bytes': (c, r) => ({ bytes: Buffer.concat([c.bytes, Buffer.from(Array.from({ length: 1 + r.int(64) }, () => r.int(256)))]), registered: false, reasons: ['size_mismatch'] }),
  'appended bytes, registered': (c, r) => ({ bytes: Buffer.concat([c.bytes, Buffer.from(Array.from({ length: 1 + r.int(64) }, () => r.int(256)))]), registered: true, reasons: ['malformed', 'truncated'] }),
  'reordered records': (c, r) => {
    const l = structuredClone(c.lines); const rows = rowIdx(l); const i = r.pick(rows); let j = r.pick(rows); if (j === i) j = rows[(rows.indexOf(i) + 1) % rows.length]!
    ;[l[i], l[j]] = [l[j], l[i]]
    // A child moved before its parent table also leaves its reference unresolved.
    return { bytes: ser(c, l), registered: true, reasons: ['malformed', 'dangling_reference', 'duplicate_key'] }
  },
  'duplicated record': (c, r) => { const l = structuredClone(c.lines); const i = r.pick(rowIdx(l)); l.splice(i, 0, structuredClone(l[i])); return { bytes: ser(c, l, { recount: true }), registered: true, reasons: ['duplicate_key'] } },
  'edited value, digest recomputed': (c, r) => { const l = structuredClone(c.lines); const i = r.pick(rowIdx(l.filter(x => x.t === 'transactions')).map(k => l.indexOf(l.filter(x => x.t === 'transactions')[k]))); const cols = colsOf(l, 'transactions'); l[i].r[cols.findIndex(x => x.name === 'description')] = `edited ${r.int(1e6)}`; return { bytes: ser(c, l), registered: false, reasons: ['checksum_mismatch', 'size_mismatch'] } },
  'value of a wrong type': (c, r) => {
    const l = structuredClone(c.lines); const i = r.pick(rowIdx(l)); const cols = colsOf(l, l[i].t)
    const k = r.pick(cols.map((x, n) => (x.type === 'json' ? -1 : n)).filter(n => n >= 0))
    // Values no column of that type accepts (a free-text column accepts any short string).
    const text = ['string', 'text'].includes(cols[k]!.type)
    l[i].r[k] = r.pick([{ x: 1 }, [1, 2], true, 'x'.repeat(70_000), -1.5, ...(text ? [] : ['2024-02-30', 'DROP TABLE users', ''])])
    return { bytes: ser(c, l), registered: true, reasons: ['bad_value'] }
  },
  'forged header': (c, r) => {
    const l = structuredClone(c.lines)
    const forge = r.pick([
      // The other format's version (its container differs), a future one, and nonsense.
      () => { l[0].version = r.pick([3 - c.version, c.version + 1, 0, String(c.version), null, 1.5]) }, () => { l[0].format = 'other' }, () => { l[0].schemaVersion = r.pick([99, -1, '1']) },
      () => { l[0].userId = c.otherUserId }, () => { l[0].userId = String(l[0].userId) }, () => { delete l[0].tables }, () => { l[0].type = 'row' },
    ])
    forge()
    return { bytes: ser(c, l), registered: true, reasons: ['unsupported_format', 'owner_mismatch', 'malformed'] }
  },
  'another user\'s object': (c, r) => ({ bytes: c.otherBytes, registered: r.next() < 0.5, reasons: ['owner_mismatch', 'checksum_mismatch', 'size_mismatch'] }),
  'reference to a missing row': (c, r) => {
    const l = structuredClone(c.lines)
    const [table, column] = r.pick([['transactions', 'account_id'], ['transactions', 'category_id'], ['categories', 'parent_id']] as const)
    const rows = l.filter(x => x.t === table)
    const row = r.pick(rows); row.r[colsOf(l, table).findIndex(x => x.name === column)] = 800_000_000 + r.int(1e6)
    return { bytes: ser(c, l), registered: true, reasons: ['dangling_reference'] }
  },
  'unknown table or column': (c, r) => {
    const l = structuredClone(c.lines)
    if (r.next() < 0.5) { l[0].tables.push({ name: r.pick(['users', 'refresh_tokens', 'audit_log', 'backups', 'x; DROP TABLE users']), primaryKey: 'id', columns: [{ name: 'id', type: 'id', nullable: false }] }); return { bytes: ser(c, l), registered: true, reasons: ['unknown_table'] } }
    const t = r.pick(l[0].tables as { name: string, columns: object[] }[]); t.columns.push({ name: r.pick(['user_id', 'password_hash', 'is_admin', '`x`']), type: 'int', nullable: true })
    for (const x of l) if (x.t === t.name) x.r.push(1)
    return { bytes: ser(c, l), registered: true, reasons: ['unknown_column'] }
  },
  'gzip bomb': (c, r) => ({ bytes: compress(Buffer.alloc((65 + r.int(40)) * 1024 * 1024, r.pick([0x20, 0x30, 0x7B])), c.version), registered: true, reasons: ['too_large'] }),
  'empty or not gzip': (_c, r) => (r.next() < 0.3 ? { bytes: Buffer.alloc(0), registered: true, reasons: ['truncated'] } : { bytes: Buffer.from(Array.from({ length: 1 + r.int(4096) }, (_, k) => (k === 0 ? 0x7B : r.int(256)))), registered: true, reasons: ['not_gzip'] }),
  'trailer edited': (c, r) => {
    const l = structuredClone(c.lines)
    const which = r.int(4)
    if (which === 0) { l.at(-1).rowCounts.transactions += 1 + r.int(5); return { bytes: ser(c, l), registered: true, reasons: ['row_count_mismatch'] } }
    if (which === 1) return { bytes: compress(encodeLines(l.slice(0, -1), c.version) + JSON.stringify({ ...l.at(-1), digest: `sha256:${'0'.repeat(64)}` }) + '\n', c.version), registered: true, reasons: ['digest_mismatch'] }
    if (which === 2) return { bytes: compress(encodeLines(l.slice(0, -1), c.version), c.version), registered: true, reasons: ['truncated'] }
    const row = r.pick(rowIdx(l)); l[row].r.push('extra')
    return { bytes: ser(c, l), registered: true, reasons: ['malformed'] }
  },
}

describe.each([2, 1] as const)(`hostile: ${COUNT} mutated backups of format %i (seed ${SEED})`, (version) => {
  let user: TestUser
  let conn: Awaited<ReturnType<typeof connect>>
  let ctx: Ctx
  let before: string
  const tally: Record<string, number> = {}
  const reasons: Record<string, number> = {}

  beforeAll(async () => {
    const s = inject('stack')
    user = await newUser(s.baseURL, 'hostile')
    const other = await newUser(s.baseURL, 'hostile-other')
    conn = await connect(s.databaseUrl)
    await seedLedger(conn, user.id, 40)
    await seedLedger(conn, other.id, 10)
    const mine = (await http(s.baseURL, 'POST', '/api/backup', { token: user.accessToken })).body
    const theirs = (await http(s.baseURL, 'POST', '/api/backup', { token: other.accessToken })).body
    const written = Buffer.from(await (await fetch(mine.urlDownload)).arrayBuffer())
    const otherWritten = Buffer.from(await (await fetch(theirs.urlDownload)).arrayBuffer())
    const lines = await backupLines(written)
    // The server writes format 2; the format-1 corpus is the same lines as format 1 would hold them.
    expect(lines[0].version).toBe(2)
    const asVersion = async (b: Buffer) => (version === 2 ? b : serialize((await backupLines(b)).map(l => (l.type === 'header' ? { ...l, version: 1 } : l)), { version: 1 }))
    const bytes = await asVersion(written)
    ctx = { version, bytes, lines: await backupLines(bytes), otherBytes: await asVersion(otherWritten), otherUserId: other.id }
    before = JSON.stringify(await dumpUser(conn, user.id))
  })
  afterAll(async () => {
    console.log(`hostile mutations (format ${version}): ${Object.values(tally).reduce((a, b) => a + b, 0)} tried, all refused; by family ${JSON.stringify(tally)}; by reason ${JSON.stringify(reasons)}`)
    await conn?.end()
  })

  it('refuses every mutation with 422 and a reason, and never changes the data', async () => {
    const s = inject('stack')
    const s3 = s3Client(s.s3Endpoint)
    const names = Object.keys(GENERATORS)
    const rng = prng(SEED)
    for (let n = 0; n < COUNT; n++) {
      const name = names[n % names.length]!
      const m = GENERATORS[name]!(ctx, rng)
      const id = randomUUID()
      const key = `users/${user.id}/backups/${id}.jsonl.gz`
      await s3.send(new PutObjectCommand({ Bucket: s.bucket, Key: key, Body: m.bytes }))
      const recorded = m.registered ? m.bytes : ctx.bytes
      await conn.query('INSERT INTO backups (id, user_id, url, status, kind, size_bytes, sha256, format_version, schema_version, completed_at) VALUES (?, ?, ?, \'completed\', \'manual\', ?, ?, ?, 1, NOW(3))', [id, user.id, `s3://${s.bucket}/${key}`, recorded.length, sha256(recorded), version])
      const res = await http(s.baseURL, 'POST', '/api/restore', { token: user.accessToken, body: { backup_id: id } })
      const where = `format ${version} mutation #${n} (${name}, seed ${SEED})`
      expect(res.status, `${where}: ${JSON.stringify(res.body)}`).toBe(422)
      expect(res.body.data.code, where).toBe('BACKUP_INVALID')
      expect(BACKUP_INVALID_REASONS, where).toContain(res.body.data.reason)
      if (m.reasons === 'content') expect(CATALOGUE_REASONS, `${where}: got ${res.body.data.reason}`).not.toContain(res.body.data.reason)
      else expect(m.reasons, `${where}: got ${res.body.data.reason}`).toContain(res.body.data.reason)
      tally[name] = (tally[name] ?? 0) + 1
      reasons[res.body.data.reason] = (reasons[res.body.data.reason] ?? 0) + 1
      if (n % 16 === 15) expect(JSON.stringify(await dumpUser(conn, user.id)), where).toBe(before)
      await conn.query('DELETE FROM backups WHERE id = ?', [id])
    }
    expect(JSON.stringify(await dumpUser(conn, user.id))).toBe(before)
    // No safety backup was taken for any refused file: validation comes first.
    const [[{ n: safety }]] = await conn.query<any[]>('SELECT COUNT(*) AS n FROM backups WHERE user_id = ? AND kind = \'pre-restore\'', [user.id])
    expect(safety).toBe(0)
  }, 600_000)
})
