import { describe, expect, it } from 'vitest'
import { productionConfigProblems, type CofreConfig } from '../../server/utils/config'

const good: CofreConfig = {
  role: 'both',
  queue: { url: 'https://sqs.eu-west-1.amazonaws.com/1/cofre-jobs', endpoint: '', waitBudgetMs: 10000, visibilityTimeoutSeconds: 60, heartbeatSeconds: 15 },
  databaseUrl: 'mysql://u:p@db:3306/cofre',
  databasePoolSize: 10,
  databaseLockWaitTimeoutSeconds: 10,
  databaseAcquireTimeoutMs: 10000,
  jobs: { maxConcurrent: 4, maxQueued: 32, queueWaitSeconds: 20, staleAfterSeconds: 600 },
  restores: { rateLimit: 10, rateWindowSeconds: 3600 },
  jwtSecret: 'Zq8f3K1pX0v9LmN2bR7tY6uW4sE5aD3cH8jG1kQ0oP9i',
  presignTtlSeconds: 300,
  backups: { rateLimit: 10, rateWindowSeconds: 3600, maxUncompressedBytes: 1e9, maxStoredPerUser: 100, sweepAfterSeconds: 300 },
  s3: { endpoint: '', region: 'eu-west-1', bucket: 'cofre-prod', accessKeyId: '', secretAccessKey: '', forcePathStyle: false, sse: 'AES256', sseKmsKeyId: '', requestTimeoutMs: 30000, partSizeMb: 8 },
  sns: { endpoint: '', topicArn: 'arn:aws:sns:eu-west-1:1:t' },
}

describe('productionConfigProblems', () => {
  it('names an unknown role, a missing job queue and a heartbeat that cannot keep a job invisible', () => {
    expect(productionConfigProblems({ ...good, role: 'wroker' as CofreConfig['role'] }).join()).toMatch(/NUXT_ROLE must be one of web, worker, both/)
    expect(productionConfigProblems({ ...good, role: 'web', queue: { ...good.queue, url: '' } }).join()).toMatch(/NUXT_QUEUE_URL is missing: the web role/)
    expect(productionConfigProblems({ ...good, role: 'worker', queue: { ...good.queue, url: '' } }).join()).toMatch(/NUXT_QUEUE_URL is missing: the worker role/)
    // One instance doing everything may run its jobs itself, without a queue.
    expect(productionConfigProblems({ ...good, role: 'both', queue: { ...good.queue, url: '' } })).toEqual([])
    expect(productionConfigProblems({ ...good, queue: { ...good.queue, heartbeatSeconds: 60 } }).join()).toMatch(/NUXT_QUEUE_HEARTBEAT_SECONDS/)
  })
  it('accepts a safe configuration', () => {
    expect(productionConfigProblems(good)).toEqual([])
  })
  it('names a missing secret', () => {
    expect(productionConfigProblems({ ...good, jwtSecret: '' }).join()).toMatch(/NUXT_JWT_SECRET is missing/)
  })
  it('names a short secret with its length', () => {
    expect(productionConfigProblems({ ...good, jwtSecret: 'abc123' }).join()).toMatch(/too weak: 6 bytes/)
  })
  it('refuses placeholder and low-entropy secrets even when long', () => {
    expect(productionConfigProblems({ ...good, jwtSecret: 'changeme-changeme-changeme-changeme!' })).toEqual([expect.stringMatching(/looks like a placeholder/)])
    expect(productionConfigProblems({ ...good, jwtSecret: 'a'.repeat(64) })).toEqual([expect.stringMatching(/looks like a placeholder/)])
  })
  it('names a sweep delay that is not a number of seconds (NaN would sweep every millisecond)', () => {
    for (const bad of [Number.NaN, 0, Infinity]) expect(productionConfigProblems({ ...good, backups: { ...good.backups, sweepAfterSeconds: bad } }).join()).toMatch(/NUXT_BACKUPS_SWEEP_AFTER_SECONDS/)
  })
  it('names a missing bucket', () => {
    expect(productionConfigProblems({ ...good, s3: { ...good.s3, bucket: '' } }).join()).toMatch(/NUXT_S3_BUCKET is missing/)
  })
  it('reports every problem at once', () => {
    expect(productionConfigProblems({ ...good, jwtSecret: '', s3: { ...good.s3, bucket: '' } })).toEqual([
      expect.stringMatching(/NUXT_JWT_SECRET is missing/),
      expect.stringMatching(/NUXT_S3_BUCKET is missing/),
    ])
  })
})
