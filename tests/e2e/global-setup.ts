import { dropStaleTestDatabases, startStack } from '../support/stack'

export default async function globalSetup() {
  await dropStaleTestDatabases()
  // Every journey signs up its own user from 127.0.0.1: more than the default 10 sign-ups per IP
  // per hour (that limit is tested with its default on a stack of its own, auth-limits.test.ts).
  const stack = await startStack({ COFRE_REGISTER_LIMIT_IP: '1000' })
  process.env.COFRE_E2E_BASE_URL = stack.app.baseURL
  process.env.COFRE_E2E_DATABASE_URL = stack.databaseUrl
  process.env.COFRE_E2E_S3_ENDPOINT = stack.aws.endpoint
  process.env.COFRE_E2E_S3_BUCKET = stack.aws.bucket
  return async () => { await stack.stop() }
}
