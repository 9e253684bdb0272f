// Builds and mutates backup files for tests: parse a real backup into lines, edit them, and
// re-serialize — optionally recomputing the trailer digest, as a careful forger would.
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import type mysql from 'mysql2/promise'

export function serialize(lines: any[], opts: { recomputeDigest?: boolean, recount?: boolean } = {}): Buffer {
  const body = lines.slice(0, -1).map(l => JSON.stringify(l) + '\n').join('')
  const trailer = { ...lines.at(-1) }
  if (opts.recount) {
    const counts: Record<string, number> = {}
    for (const t of lines[0].tables) counts[t.name] = 0
    for (const l of lines) if (l.t) counts[l.t] = (counts[l.t] ?? 0) + 1
    trailer.rowCounts = counts
  }
  if (opts.recomputeDigest !== false) trailer.digest = `sha256:${createHash('sha256').update(body).digest('hex')}`
  return gzipSync(Buffer.from(body + JSON.stringify(trailer) + '\n'))
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

export function s3Client(endpoint: string) {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
}

/** Overwrites a backup's object in S3; with `updateRow`, also makes the catalogue row agree with it. */
export async function replaceObject(o: { endpoint: string, bucket: string, conn: mysql.Connection, backupId: string, bytes: Buffer, updateRow: boolean }) {
  const [[row]] = await o.conn.query<any[]>('SELECT url FROM backups WHERE id = ?', [o.backupId])
  const key = String(row.url).replace(/^s3:\/\/[^/]+\//, '')
  await s3Client(o.endpoint).send(new PutObjectCommand({ Bucket: o.bucket, Key: key, Body: o.bytes }))
  // A forger who also fixes the catalogue: size and hash agree, and an earlier 'invalid' verdict is gone.
  if (o.updateRow) await o.conn.query('UPDATE backups SET size_bytes = ?, sha256 = ?, status = \'completed\', error_code = NULL WHERE id = ?', [o.bytes.length, sha256(o.bytes), o.backupId])
}
