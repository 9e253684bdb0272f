// Reads the SQS queue subscribed to Cofre's SNS topic: what the app published, one entry per
// message. Messages are deleted once read, or they would come back after the visibility timeout.
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs'

export interface Notification { event: string, attributes: Record<string, string>, body: any }

export async function drainNotifications(endpoint: string, queueName: string, rounds = 3): Promise<Notification[]> {
  const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))
  const out: Notification[] = []
  for (let i = 0; i < rounds; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }))
    for (const m of r.Messages ?? []) {
      const envelope = JSON.parse(m.Body!)
      const attributes = Object.fromEntries(Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]) => [k, (v as { Value: string }).Value]))
      out.push({ event: attributes.event!, attributes, body: JSON.parse(envelope.Message) })
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }))
    }
  }
  return out
}
