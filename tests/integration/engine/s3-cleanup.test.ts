import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { LOCAL_AWS } from '../../../scripts/lib/local-aws.mjs'
import { ObjectStore } from '../../../server/engine/storage/s3-store'

// What a cancel and a cleanup leave in S3, against fauxqs through a small HTTP proxy that can hold
// back or refuse one kind of request: one that creates the object (the completion of a multipart
// upload, POST …?uploadId=; a PutObject, PUT without partNumber), the listing of uploads
// (GET …?uploads), or everything.

type Rule = 'pass' | 'hold-creation' | 'refuse-list' | 'silent'
let rule: Rule = 'pass'
let onCreation: (() => void) | undefined
let proxy: Server
let store: ObjectStore
let s3: S3Client
const MiB = 1024 * 1024

beforeAll(async () => {
  const { s3Endpoint, bucket } = inject('stack')
  const upstream = new URL(s3Endpoint)
  proxy = createServer((req, res) => {
    const creation = (req.method === 'POST' && /[?&]uploadId=/.test(req.url ?? '')) || (req.method === 'PUT' && !/[?&]partNumber=/.test(req.url ?? ''))
    const listing = req.method === 'GET' && /[?&]uploads(=|&|$)/.test(req.url ?? '')
    if (rule === 'silent') return // never answered: the client's own deadline ends it
    if (rule === 'refuse-list' && listing) {
      res.writeHead(403, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>denied</Message></Error>')
      return
    }
    const forward = () => req.pipe(request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.pipe(res)
    }))
    if (rule === 'hold-creation' && creation) {
      onCreation?.()
      // The request reaches S3 late (bytes in flight, or a completion S3 takes a while over); S3 makes the object all the same.
      setTimeout(forward, 1500)
    }
    else forward()
  })
  await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve))
  s3 = new S3Client({ endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, region: LOCAL_AWS.region, forcePathStyle: true, credentials: { accessKeyId: LOCAL_AWS.accessKeyId, secretAccessKey: LOCAL_AWS.secretAccessKey }, maxAttempts: 1 })
  store = new ObjectStore({ s3, bucket, partSize: 5 * MiB })
})
afterAll(async () => {
  rule = 'pass'
  proxy?.closeAllConnections()
  await new Promise(resolve => proxy?.close(resolve))
})

const keyOf = () => `users/1/backups/${randomUUID()}.jsonl.zst`

describe('a cancel that arrives while the request creating the object is in flight', () => {
  // 6 MiB: two parts (5 + 1 MiB), completed by one POST; 1 MiB: less than a part, one PutObject.
  it.each([['a multipart upload\'s completion', 6 * MiB], ['a single PutObject', 1 * MiB]])('%s: waited for, so the caller\'s cleanup that follows removes the object it made', async (_what, size) => {
    rule = 'hold-creation'
    const key = keyOf()
    const cancel = new AbortController()
    onCreation = () => cancel.abort(new Error('cancelled by the user'))
    try {
      await expect(store.putStream(key, Readable.from([randomBytes(size)]), { contentType: 'application/zstd', signal: cancel.signal })).rejects.toThrow('cancelled by the user')
      // Had the cancel aborted that request on our side, S3 would make the object after this point.
      expect(await store.head(key)).toEqual({ sizeBytes: size })
      await store.discard(key)
      expect(await store.head(key)).toBeNull()
    }
    finally { rule = 'pass'; onCreation = undefined }
  })
})

describe('discard', () => {
  it('still deletes the object when listing uploads is refused, then says what failed', async () => {
    const key = keyOf()
    await s3.send(new PutObjectCommand({ Bucket: inject('stack').bucket, Key: key, Body: Buffer.from('backup') }))
    rule = 'refuse-list'
    try { await expect(store.discard(key)).rejects.toThrow(/list_uploads/) }
    finally { rule = 'pass' }
    expect(await store.head(key)).toBeNull()
  })

  it('gives up within its 5 s budget when S3 is silent, whatever the call deadline', async () => {
    const silentStore = new ObjectStore({ s3, bucket: inject('stack').bucket, deadlineMs: 30_000 })
    rule = 'silent'
    const t0 = Date.now()
    try { await expect(silentStore.discard(keyOf())).rejects.toThrow(/discard/) }
    finally { rule = 'pass' }
    const ms = Date.now() - t0
    expect(ms).toBeGreaterThanOrEqual(4_900)
    expect(ms).toBeLessThan(10_000) // the budget, plus room for a loaded machine; the call deadline (30 s) would be far above
  })
})
