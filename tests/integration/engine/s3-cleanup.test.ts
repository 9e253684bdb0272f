import { randomBytes, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { LOCAL_AWS } from '../../../scripts/lib/local-aws.mjs'
import { ObjectStore } from '../../../server/engine/storage/s3-store'
import { startS3HttpProxy, type S3HttpProxy } from '../../support/s3-http-proxy'

// What a cancel and a cleanup leave in S3, against fauxqs through a small HTTP proxy that can hold
// back or refuse one kind of request (tests/support/s3-http-proxy.ts).

let proxy: S3HttpProxy
let store: ObjectStore
let s3: S3Client
const MiB = 1024 * 1024

beforeAll(async () => {
  const { s3Endpoint, bucket } = inject('stack')
  proxy = await startS3HttpProxy(s3Endpoint)
  s3 = new S3Client({ endpoint: proxy.url, region: LOCAL_AWS.region, forcePathStyle: true, credentials: { accessKeyId: LOCAL_AWS.accessKeyId, secretAccessKey: LOCAL_AWS.secretAccessKey }, maxAttempts: 1 })
  store = new ObjectStore({ s3, bucket, partSize: 5 * MiB })
})
afterAll(async () => { await proxy?.close() })

const keyOf = () => `users/1/backups/${randomUUID()}.jsonl.zst`

describe('a cancel that arrives while the request creating the object is in flight', () => {
  // 6 MiB: two parts (5 + 1 MiB), completed by one POST; 1 MiB: less than a part, one PutObject.
  it.each([['a multipart upload\'s completion', 6 * MiB], ['a single PutObject', 1 * MiB]])('%s: waited for, so the caller\'s cleanup that follows removes the object it made', async (_what, size) => {
    proxy.rule = { kind: 'hold-creation', ms: 1500 }
    const key = keyOf()
    const cancel = new AbortController()
    proxy.onCreation = () => cancel.abort(new Error('cancelled by the user'))
    try {
      await expect(store.putStream(key, Readable.from([randomBytes(size)]), { contentType: 'application/zstd', signal: cancel.signal })).rejects.toThrow('cancelled by the user')
      // Had the cancel aborted that request on our side, S3 would make the object after this point.
      expect(await store.head(key)).toEqual({ sizeBytes: size })
      await store.discard(key)
      expect(await store.head(key)).toBeNull()
    }
    finally { proxy.rule = { kind: 'pass' }; proxy.onCreation = undefined }
  })
})

describe('discard', () => {
  it('still deletes the object when listing uploads is refused, then says what failed', async () => {
    const key = keyOf()
    await s3.send(new PutObjectCommand({ Bucket: inject('stack').bucket, Key: key, Body: Buffer.from('backup') }))
    proxy.rule = { kind: 'refuse-list' }
    try { await expect(store.discard(key)).rejects.toThrow(/list_uploads/) }
    finally { proxy.rule = { kind: 'pass' } }
    expect(await store.head(key)).toBeNull()
  })

  it('gives up within its 5 s budget when S3 is silent, whatever the call deadline', async () => {
    const silentStore = new ObjectStore({ s3, bucket: inject('stack').bucket, deadlineMs: 30_000 })
    proxy.rule = { kind: 'silent' }
    const t0 = Date.now()
    try { await expect(silentStore.discard(keyOf())).rejects.toThrow(/discard/) }
    finally { proxy.rule = { kind: 'pass' } }
    const ms = Date.now() - t0
    expect(ms).toBeGreaterThanOrEqual(4_900)
    expect(ms).toBeLessThan(10_000) // the budget, plus room for a loaded machine; the call deadline (30 s) would be far above
  })
})
