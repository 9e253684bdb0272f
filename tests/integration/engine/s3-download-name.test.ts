import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ObjectStore } from '../../../server/engine/storage/s3-store'

// fauxqs ignores response-content-disposition (a download arrives under its key's name); real S3
// honours it. s3rver, a second S3 implementation that honours it like S3, checks that the links
// Cofre signs make the browser save the file under the name the user sees in the list.

const BUCKET = 'cofre-name-check'
let server: S3rver
let dir: string
let store: ObjectStore
let s3: S3Client

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cofre-s3rver-'))
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: BUCKET, configs: [] }] })
  const { port } = await server.run()
  s3 = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } })
  store = new ObjectStore({ s3, bucket: BUCKET })
})
afterAll(async () => {
  await server?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('a presigned download link on an S3 that honours response overrides', () => {
  it('is served as an attachment under the name Cofre chose, not the key\'s', async () => {
    const key = 'users/7/backups/0f8fad5b-d9cb-469f-a165-70867728950e.jsonl.gz'
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from('gz bytes') }))
    const url = await store.presignGet(key, 60, 'cofre-backup-2026-03-09_23-05-09.jsonl.gz')
    const res = await fetch(url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="cofre-backup-2026-03-09_23-05-09.jsonl.gz"')
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('gz bytes')
  })

  it('HEAD tells an existing object from a missing one (what the link is issued after)', async () => {
    expect(await store.head('users/7/backups/missing.jsonl.gz')).toBeNull()
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'users/7/backups/here.jsonl.gz', Body: Buffer.from('12345') }))
    expect(await store.head('users/7/backups/here.jsonl.gz')).toEqual({ sizeBytes: 5 })
  })
})
