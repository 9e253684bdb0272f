import { SendMessageCommand } from '@aws-sdk/client-sqs'
import type { JobMessage } from './message'

/** Puts one job on the queue (its row already holds everything else). */
export async function sendJob(message: JobMessage): Promise<void> {
  await useSqs().send(new SendMessageCommand({ QueueUrl: cofreConfig().queue.url, MessageBody: JSON.stringify(message) }))
}
