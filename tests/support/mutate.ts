// Builds and mutates backup files for tests: parse a real backup into lines, edit them, and
// re-serialize — optionally recomputing the trailer digest, as a careful forger would.
import { createHash } from 'node:crypto'
import { gzipSync, zstdCompressSync } from 'node:zlib'
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import type mysql from 'mysql2/promise'

/**
 * Lines in support/data.ts `backupLines`'s shape → a file of `version` (default: the header's if
 * it is 2, else 1): format 1 is gzip with `{ t, r }` rows; format 2 is zstd with a table line
 * `{ t }` before each run of a table's rows and the rows as bare arrays.
 */
export function encodeLines(lines: any[], version: 1 | 2): string {
  if (version === 1) return lines.map(l => JSON.stringify(l) + '\n').join('')
  let table: string | undefined
  let out = ''
  for (const l of lines) {
    if (l && typeof l === 'object' && l.r !== undefined && l.type === undefined) {
      if (l.t !== table) out += JSON.stringify({ t: l.t }) + '\n'
      table = l.t
      out += JSON.stringify(l.r) + '\n'
    }
    else out += JSON.stringify(l) + '\n'
  }
  return out
}

export const compress = (text: string | Buffer, version: 1 | 2) => (version === 2 ? zstdCompressSync(Buffer.from(text)) : gzipSync(Buffer.from(text)))

export function serialize(lines: any[], opts: { recomputeDigest?: boolean, recount?: boolean, version?: 1 | 2 } = {}): Buffer {
  const version = opts.version ?? (lines[0]?.version === 2 ? 2 : 1)
  const body = encodeLines(lines.slice(0, -1), version)
  const trailer = { ...lines.at(-1) }
  if (opts.recount) {
    const counts: Record<string, number> = {}
    for (const t of lines[0].tables) counts[t.name] = 0
    for (const l of lines) if (l.t) counts[l.t] = (counts[l.t] ?? 0) + 1
    trailer.rowCounts = counts
  }
  if (opts.recomputeDigest !== false) trailer.digest = `sha256:${createHash('sha256').update(body).digest('hex')}`
  return compress(body + JSON.stringify(trailer) + '\n', version)
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

export function s3Client(endpoint: string) {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
}

/** The keys of a user's objects in the bucket. */
export async function objectKeysOf(endpoint: string, bucket: string, userId: number): Promise<string[]> {
  return ((await s3Client(endpoint).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `users/${userId}/` }))).Contents ?? []).map(o => o.Key!)
}

/** Overwrites a backup's object in S3; with `updateRow`, also makes the catalogue row agree with it. */
export async function replaceObject(o: { endpoint: string, bucket: string, conn: mysql.Connection, backupId: string, bytes: Buffer, updateRow: boolean }) {
  const [[row]] = await o.conn.query<any[]>('SELECT url FROM backups WHERE id = ?', [o.backupId])
  const key = String(row.url).replace(/^s3:\/\/[^/]+\//, '')
  await s3Client(o.endpoint).send(new PutObjectCommand({ Bucket: o.bucket, Key: key, Body: o.bytes }))
  // A forger who also fixes the catalogue: size and hash agree, and an earlier 'invalid' verdict is gone.
  if (o.updateRow) await o.conn.query('UPDATE backups SET size_bytes = ?, sha256 = ?, status = \'completed\', error_code = NULL WHERE id = ?', [o.bytes.length, sha256(o.bytes), o.backupId])
}
