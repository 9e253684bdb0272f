import { GetQueueAttributesCommand, type Message } from '@aws-sdk/client-sqs'
import { Consumer } from 'sqs-consumer'
import { runBackupJob } from '../backups'
import { withUserJobLock } from '../job-lock'
import { runRestoreJob } from '../restore'
import { jobMessageSchema, type JobMessage } from './message'
import { claimJob, JOB_TABLE, JobRun } from './record'
import { endFailedJob } from './recovery'

/** Runs used when the queue names no dead-letter queue (then the last delivery also deletes the message). */
const DEFAULT_MAX_ATTEMPTS = 3
/** Seconds before a job whose user is busy (another of their jobs runs) is delivered again. */
const BUSY_RETRY_SECONDS = 5

/** Asked to come back later: the message is left on the queue, visible again after `seconds`. */
class RetryLater extends Error {
  constructor(readonly seconds: number, why: string) { super(why) }
}

const RUNNERS = { backup: runBackupJob, restore: runRestoreJob } as const

/**
 * How many times a job runs: one delivery fewer than the queue's RedrivePolicy allows, so the
 * last delivery, which SQS still hands out, ends the job cleanly (failed, one SNS message) and the
 * message then moves to the dead-letter queue on its next receive.
 */
async function attemptsAllowed(queueUrl: string): Promise<{ maxAttempts: number, deadLetter: boolean }> {
  try {
    const { Attributes } = await useSqs().send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }))
    const max = Number(JSON.parse(Attributes?.RedrivePolicy ?? '{}').maxReceiveCount)
    if (max >= 2) return { maxAttempts: max - 1, deadLetter: true }
    logger.error({ queue: 'jobs' }, 'the job queue has no RedrivePolicy with maxReceiveCount ≥ 2: failed jobs are deleted, not dead-lettered')
  }
  catch (err) { logger.error({ err: serializeError(err) }, 'could not read the job queue\'s RedrivePolicy') }
  return { maxAttempts: DEFAULT_MAX_ATTEMPTS, deadLetter: false }
}

/**
 * One delivery of a job message. Acknowledged (deleted) when there is nothing more to do: the job
 * ran to its end (completed, failed or cancelled — recorded on its row), it had already finished
 * (a redelivery is a no-op), or the message is not a job. Left on the queue (RetryLater) when the
 * user's job lock is held elsewhere, or on a failure to reach MySQL.
 */
async function handle(message: Message, limits: { maxAttempts: number, deadLetter: boolean }): Promise<Message | undefined> {
  let job: JobMessage
  try { job = jobMessageSchema.parse(JSON.parse(message.Body ?? '')) }
  catch {
    logger.error({ messageId: message.MessageId }, 'not a job message; dropped')
    return message
  }
  const delivery = Number(message.Attributes?.ApproximateReceiveCount ?? 1)
  try {
    await withUserJobLock(job.userId, async () => {
      if (delivery > limits.maxAttempts) {
        await endFailedJob(job.kind, job.id, 'JOB_INTERRUPTED', `${limits.maxAttempts} attempts`)
        return
      }
      if (!(await claimJob(job.kind, job.id))) return
      const run = new JobRun(job.kind, job.id)
      try { await RUNNERS[job.kind](job.id, run, job.ip ?? null, delivery) }
      // The job recorded its own outcome on its row; what is thrown here is only what the request would have answered.
      catch { /* recorded */ }
      finally { await run.close() }
    })
  }
  catch (err) {
    if (err instanceof AppError && (err.code === 'JOB_IN_PROGRESS' || err.code === 'SERVICE_BUSY')) throw new RetryLater(BUSY_RETRY_SECONDS, err.code)
    logger.error({ err: serializeError(err), jobId: job.id }, 'job delivery failed; it will be delivered again')
    throw new RetryLater(BUSY_RETRY_SECONDS, 'error')
  }
  // The last delivery without a dead-letter queue: nothing would ever remove the message.
  if (delivery > limits.maxAttempts && limits.deadLetter) throw new RetryLater(0, 'dead-letter')
  return message
}

/**
 * Starts this process's job consumers: NUXT_JOBS_MAX_CONCURRENT of them, one message each, so a
 * long restore never holds up the next job (sqs-consumer polls again only when its batch is done).
 * Each running job's message has its visibility extended every NUXT_QUEUE_HEARTBEAT_SECONDS, so
 * only a dead worker's job is delivered again. Resolves to a function that stops them.
 */
export async function startWorker(): Promise<() => Promise<void>> {
  const c = cofreConfig()
  const limits = await attemptsAllowed(c.queue.url)
  const retryIn = new Map<string, number>()
  const consumers = Array.from({ length: c.jobs.maxConcurrent }, () => Consumer.create({
    queueUrl: c.queue.url,
    sqs: useSqs(),
    useQueueUrlAsEndpoint: !c.queue.endpoint,
    batchSize: 1,
    waitTimeSeconds: 20,
    visibilityTimeout: c.queue.visibilityTimeoutSeconds,
    heartbeatInterval: c.queue.heartbeatSeconds,
    messageSystemAttributeNames: ['ApproximateReceiveCount'],
    terminateVisibilityTimeout: messages => retryIn.get(messages[0]?.MessageId ?? '') ?? BUSY_RETRY_SECONDS,
    handleMessage: async (message) => {
      try { return await handle(message, limits) }
      catch (err) {
        if (err instanceof RetryLater) retryIn.set(message.MessageId ?? '', err.seconds)
        setTimeout(() => retryIn.delete(message.MessageId ?? ''), 60_000).unref()
        throw err
      }
    },
  }))
  for (const consumer of consumers) {
    consumer.on('error', err => logger.error({ err: serializeError(err) }, 'job queue error'))
    consumer.on('processing_error', (err) => {
      if (!(err.cause instanceof RetryLater) && !(err instanceof RetryLater)) logger.error({ err: serializeError(err) }, 'job processing error')
    })
    consumer.start()
  }
  logger.info({ consumers: consumers.length, maxAttempts: limits.maxAttempts, deadLetter: limits.deadLetter, table: Object.values(JOB_TABLE) }, 'job worker started')
  return async () => {
    await Promise.all(consumers.map(consumer => new Promise<void>((resolve) => {
      consumer.once('stopped', () => resolve())
      consumer.stop({ abort: true })
    })))
  }
}
