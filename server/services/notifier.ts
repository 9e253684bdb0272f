import { PublishCommand } from '@aws-sdk/client-sns'

export type NotificationEvent = 'backup.storage_error' | 'backup.failed' | 'restore.storage_error' | 'restore.failed'

/**
 * Publishes one operational event to the SNS topic: a JSON body plus `event` and `severity`
 * message attributes for subscription filters. Never throws: if SNS itself is down, the failure
 * is logged and the user's request still gets its own answer. Resolves to whether the message was
 * published, so the user is told "the team was notified" only when it is true.
 */
export async function notify(event: NotificationEvent, body: Record<string, unknown>, severity: 'error' | 'critical' = 'error'): Promise<boolean> {
  const topicArn = cofreConfig().sns.topicArn
  if (!topicArn) {
    logger.warn({ event }, 'no SNS topic configured; notification not sent')
    return false
  }
  try {
    await useSns().send(new PublishCommand({
      TopicArn: topicArn,
      Subject: `Cofre: ${event}`,
      Message: JSON.stringify({ event, severity, time: new Date().toISOString(), ...body }),
      MessageAttributes: {
        event: { DataType: 'String', StringValue: event },
        severity: { DataType: 'String', StringValue: severity },
      },
    }))
    return true
  }
  catch (err) {
    logger.error({ event, err: serializeError(err) }, 'SNS publish failed')
    return false
  }
}
