import type { TestProject } from 'vitest/node'
import { dropStaleTestDatabases, startStack } from '../support/stack'

declare module 'vitest' {
  export interface ProvidedContext {
    stack: { baseURL: string, databaseUrl: string, s3Endpoint: string, bucket: string, topicArn: string, queueName: string, env: Record<string, string> }
  }
}

export default async function setup(project: TestProject) {
  await dropStaleTestDatabases()
  const stack = await startStack()
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
