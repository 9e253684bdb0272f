import { dropStaleTestDatabases, startStack } from '../support/stack'

export default async function globalSetup() {
  await dropStaleTestDatabases()
  const stack = await startStack()
  process.env.COFRE_E2E_BASE_URL = stack.app.baseURL
  process.env.COFRE_E2E_DATABASE_URL = stack.databaseUrl
  process.env.COFRE_E2E_S3_ENDPOINT = stack.aws.endpoint
  process.env.COFRE_E2E_S3_BUCKET = stack.aws.bucket
  return async () => { await stack.stop() }
}
