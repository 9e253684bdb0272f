import type { NotifierConfig, StorageConfig } from '../engine/storage/clients'

/** Placeholders that must never protect real data. */
const KNOWN_WEAK_SECRETS = ['changeme', 'change-me', 'secret', 'dev-secret', 'development-only-secret']

export type Role = 'web' | 'worker' | 'both'
export const ROLES: readonly Role[] = ['web', 'worker', 'both']

export interface QueueConfig {
  url: string
  endpoint: string
  waitBudgetMs: number
  visibilityTimeoutSeconds: number
  heartbeatSeconds: number
}

export interface CofreConfig {
  role: Role
  queue: QueueConfig
  databaseUrl: string
  databasePoolSize: number
  databaseLockWaitTimeoutSeconds: number
  databaseAcquireTimeoutMs: number
  jobs: { maxConcurrent: number, maxQueued: number, queueWaitSeconds: number, staleAfterSeconds: number }
  restores: { rateLimit: number, rateWindowSeconds: number }
  jwtSecret: string
  presignTtlSeconds: number
  backups: { rateLimit: number, rateWindowSeconds: number, maxUncompressedBytes: number, maxStoredPerUser: number, sweepAfterSeconds: number }
  s3: StorageConfig
  sns: { endpoint: string, topicArn: string }
}

/**
 * What makes a production start unsafe, one message per problem (empty when safe). Pure: the
 * startup plugin calls it with the runtime config, unit tests call it directly.
 */
export function productionConfigProblems(c: CofreConfig): string[] {
  const problems: string[] = []
  const secret = c.jwtSecret ?? ''
  if (!secret) problems.push('NUXT_JWT_SECRET is missing: set at least 32 random bytes (openssl rand -base64 48).')
  else if (Buffer.byteLength(secret, 'utf8') < 32) problems.push(`NUXT_JWT_SECRET is too weak: ${Buffer.byteLength(secret, 'utf8')} bytes, at least 32 are required (openssl rand -base64 48).`)
  else if (KNOWN_WEAK_SECRETS.some(w => secret.toLowerCase().includes(w)) || new Set(secret).size < 8) problems.push('NUXT_JWT_SECRET looks like a placeholder: generate a random one (openssl rand -base64 48).')
  if (!c.s3?.bucket) problems.push('NUXT_S3_BUCKET is missing: name the S3 bucket that stores backups.')
  if (!c.databaseUrl) problems.push('NUXT_DATABASE_URL is missing.')
  if (!ROLES.includes(c.role)) problems.push(`NUXT_ROLE must be one of ${ROLES.join(', ')} (got "${c.role}").`)
  if (!c.queue?.url && c.role !== 'both') problems.push(`NUXT_QUEUE_URL is missing: the ${c.role} role reaches the other processes through the SQS job queue.`)
  if (c.queue && !(c.queue.heartbeatSeconds > 0 && c.queue.heartbeatSeconds < c.queue.visibilityTimeoutSeconds)) problems.push('NUXT_QUEUE_HEARTBEAT_SECONDS must be positive and below NUXT_QUEUE_VISIBILITY_TIMEOUT_SECONDS.')
  if (!(Number.isFinite(c.backups?.sweepAfterSeconds) && c.backups.sweepAfterSeconds >= 1)) problems.push('NUXT_BACKUPS_SWEEP_AFTER_SECONDS must be a number of seconds, at least 1 (default 300).')
  if (!(Number(c.presignTtlSeconds) > 0 && Number(c.presignTtlSeconds) <= 604800)) problems.push('NUXT_PRESIGN_TTL_SECONDS must be between 1 and 604800.')
  return problems
}

export function cofreConfig(): CofreConfig {
  const rc = useRuntimeConfig()
  return {
    role: String(rc.role) as Role,
    queue: {
      url: rc.queue.url,
      endpoint: rc.queue.endpoint,
      waitBudgetMs: Math.max(0, Number(rc.queue.waitBudgetMs)),
      visibilityTimeoutSeconds: Number(rc.queue.visibilityTimeoutSeconds),
      heartbeatSeconds: Number(rc.queue.heartbeatSeconds),
    },
    databaseUrl: rc.databaseUrl,
    databasePoolSize: Number(rc.databasePoolSize),
    databaseLockWaitTimeoutSeconds: Number(rc.databaseLockWaitTimeoutSeconds),
    databaseAcquireTimeoutMs: Number(rc.databaseAcquireTimeoutMs),
    jobs: {
      maxConcurrent: Math.max(1, Number(rc.jobs.maxConcurrent)),
      maxQueued: Math.max(0, Number(rc.jobs.maxQueued)),
      queueWaitSeconds: Math.max(0, Number(rc.jobs.queueWaitSeconds)),
      staleAfterSeconds: Math.max(1, Number(rc.jobs.staleAfterSeconds)),
    },
    restores: { rateLimit: Number(rc.restores.rateLimit), rateWindowSeconds: Number(rc.restores.rateWindowSeconds) },
    jwtSecret: rc.jwtSecret,
    presignTtlSeconds: Number(rc.presignTtlSeconds),
    backups: {
      rateLimit: Number(rc.backups.rateLimit),
      rateWindowSeconds: Number(rc.backups.rateWindowSeconds),
      maxUncompressedBytes: Number(rc.backups.maxUncompressedBytes),
      maxStoredPerUser: Number(rc.backups.maxStoredPerUser),
      sweepAfterSeconds: Math.max(1, Number(rc.backups.sweepAfterSeconds)),
    },
    s3: {
      ...rc.s3,
      forcePathStyle: rc.s3.forcePathStyle === true || String(rc.s3.forcePathStyle) === 'true',
      requestTimeoutMs: Number(rc.s3.requestTimeoutMs),
      partSizeMb: Math.max(5, Number(rc.s3.partSizeMb) || 8),
    },
    sns: rc.sns,
  }
}

export function notifierConfig(c: CofreConfig = cofreConfig()): NotifierConfig {
  return { endpoint: c.sns.endpoint, topicArn: c.sns.topicArn, region: c.s3.region, accessKeyId: c.s3.accessKeyId, secretAccessKey: c.s3.secretAccessKey }
}
