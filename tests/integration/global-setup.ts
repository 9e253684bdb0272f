import type { TestProject } from 'vitest/node'
import { dropStaleTestDatabases, startStack } from '../support/stack'

declare module 'vitest' {
  export interface ProvidedContext {
    stack: { baseURL: string, databaseUrl: string, s3Endpoint: string, bucket: string, topicArn: string, queueName: string, env: Record<string, string> }
  }
}

export default async function setup(project: TestProject) {
  await dropStaleTestDatabases()
  // A small decompression cap, so the gzip-bomb tests stay fast; high backup and restore rate
  // limits, since functional tests make many backups and restores per user (each limit is tested
  // with its default on a stack of its own; concurrency and load tests run with the defaults).
  // Likewise a high registration limit: every test signs its users up from 127.0.0.1, and the
  // per-IP registration limit is tested with its default on a stack of its own (auth-limits.test.ts).
  const stack = await startStack({ NUXT_BACKUPS_MAX_UNCOMPRESSED_BYTES: String(64 * 1024 * 1024), NUXT_BACKUPS_RATE_LIMIT: '10000', NUXT_RESTORES_RATE_LIMIT: '10000', COFRE_REGISTER_LIMIT_IP: '100000' })
  project.provide('stack', {
    baseURL: stack.app.baseURL,
    databaseUrl: stack.databaseUrl,
    s3Endpoint: stack.aws.endpoint,
    bucket: stack.aws.bucket,
    topicArn: stack.aws.topicArn,
    queueName: stack.aws.queueName,
    env: stack.env,
  })
  return () => stack.stop()
}
