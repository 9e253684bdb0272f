import { SendMessageCommand } from '@aws-sdk/client-sqs'
import type { JobMessage } from './message'

/**
 * How long putting a job on the queue may take, retries included: well inside the request's wait,
 * so an SQS that accepts connections and never answers costs the user seconds, not minutes.
 */
const SEND_DEADLINE_MS = 3000

/** Puts one job on the queue (its row already holds everything else). */
export async function sendJob(message: JobMessage): Promise<void> {
  await useSqs().send(new SendMessageCommand({ QueueUrl: cofreConfig().queue.url, MessageBody: JSON.stringify(message) }), { abortSignal: AbortSignal.timeout(SEND_DEADLINE_MS) })
}
