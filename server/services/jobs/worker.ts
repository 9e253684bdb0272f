import { ERROR_STATUS } from '#shared/errors'
import { GetQueueAttributesCommand, type Message } from '@aws-sdk/client-sqs'
import { Consumer } from 'sqs-consumer'
import { runBackupJob } from '../backups'
import { withUserJobLock } from '../job-lock'
import { runRestoreJob } from '../restore'
import { jobMessageSchema, type JobMessage } from './message'
import { endRestoreWindow } from '../ledger/write-gate'
import { claimJob, JOB_TABLE, jobRow, JobRun } from './record'
import { endCancelledJob, endFailedJob } from './recovery'

/** Runs used when the queue names no dead-letter queue (then the last delivery also deletes the message). */
const DEFAULT_MAX_ATTEMPTS = 3
/** How long a job waits for its user's lock: the previous job releases it just after finishing its row. */
const LOCK_HANDOVER_SECONDS = 3
/**
 * Seconds before a delivery that found its user's lock held (another run of theirs: normally none,
 * since one job per user is queued at a time; a frozen worker's, until MySQL drops its idle lock
 * connection) is delivered again. Every delivery counts toward the attempts, so this spreads them.
 */
const BUSY_RETRY_SECONDS = 30
/** Seconds before a delivery that could not reach MySQL is delivered again. */
const ERROR_RETRY_SECONDS = 5

/**
 * Seconds one receive waits for a message (long polling). Short on purpose: a receive still
 * waiting when its process dies can be handed a message nobody will read, which then stays
 * invisible for the whole visibility timeout — seen here as 60 s stalls after restarts. Five
 * seconds bounds that window; it costs 4 receives per worker every 5 s when idle.
 */
const POLL_WAIT_SECONDS = 5
/** Set when the server closes: a message received from then on goes straight back to the queue. */
let stopping = false

/** Asked to come back later: the message is left on the queue, visible again after `seconds`. */
class RetryLater extends Error {
  constructor(readonly seconds: number, why: string) { super(why) }
}

/** The job's own code (looked up when called: the modules import each other). */
const runnerOf = (kind: JobMessage['kind']) => (kind === 'backup' ? runBackupJob : runRestoreJob)

/**
 * Runs one delivery of a job under the user's job lock. Nothing to do if the job is finished; a job
 * cancelled while no worker ran it is ended here (nothing left behind); otherwise the row is
 * claimed and the job run. Whatever happens, the row ends: a run that throws before recording its
 * outcome (its backup deleted meanwhile, a database failure) is ended failed here. Throws
 * JOB_IN_PROGRESS/SERVICE_BUSY when the lock or a slot is not free, or a database failure.
 */
export async function runDelivery(job: JobMessage): Promise<void> {
  await withUserJobLock(job.userId, async (lock) => {
    const row = await jobRow(job.kind, job.id)
    if (!row?.open) return
    if (row.cancelRequested) {
      await endCancelledJob(job.kind, job.id, job.ip ?? null)
      return
    }
    const attempt = await claimJob(job.kind, job.id)
    if (attempt === null) return
    // No restore of this user runs now (one job per user): a window a dead restore left is closed.
    await endRestoreWindow(row.userId)
    const run = new JobRun(job.kind, job.id, attempt, lock)
    try { await runnerOf(job.kind)(job.id, run, job.ip ?? null) }
    catch (err) {
      // What is thrown is what the request would have answered; the row normally says it already.
      // The log gets the cause chain (codes, never messages from the database or ledger values).
      const failure = toAppError(err)
      if (failure.code !== 'JOB_CANCELLED') logger[ERROR_STATUS[failure.code] >= 500 ? 'error' : 'warn']({ err: serializeError(err), code: failure.code, jobId: job.id, kind: job.kind, userId: job.userId }, 'job failed')
      await endFailedJob(job.kind, job.id, failure.code, 'run failed', failure.data && Object.keys(failure.data).length ? failure.data : null, attempt)
    }
    finally { await run.close() }
    // A run that returned without ending its row (it should not): ended, not left open.
    if ((await jobRow(job.kind, job.id))?.open) await endFailedJob(job.kind, job.id, 'INTERNAL_ERROR', 'run ended without an outcome', null, attempt)
  }, { waitSeconds: LOCK_HANDOVER_SECONDS })
}

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
    // Delivered again after it finished (at-least-once delivery): nothing to do, and no lock to wait for.
    if (!(await jobRow(job.kind, job.id))?.open) return message
  }
  catch (err) {
    logger.error({ err: serializeError(err), jobId: job.id }, 'could not read the job; it will be delivered again')
    throw new RetryLater(ERROR_RETRY_SECONDS, 'error')
  }
  // Attempts used up (each delivery counts: a worker killed mid-job, or the user's lock busy):
  // the job ends failed with one SNS message, whatever holds the lock (a guarded UPDATE: if a
  // stuck run of it finishes later, its result is discarded, as a cancelled job's).
  if (delivery > limits.maxAttempts) {
    try { await endFailedJob(job.kind, job.id, 'JOB_INTERRUPTED', `${limits.maxAttempts} attempts`) }
    catch (err) {
      logger.error({ err: serializeError(err), jobId: job.id }, 'could not end a job whose attempts are used up')
      throw new RetryLater(ERROR_RETRY_SECONDS, 'error')
    }
    if (limits.deadLetter) throw new RetryLater(0, 'dead-letter')
    return message
  }
  try {
    await runDelivery(job)
  }
  catch (err) {
    if (err instanceof AppError && (err.code === 'JOB_IN_PROGRESS' || err.code === 'SERVICE_BUSY')) throw new RetryLater(BUSY_RETRY_SECONDS, err.code)
    logger.error({ err: serializeError(err), jobId: job.id }, 'job delivery failed; it will be delivered again')
    throw new RetryLater(ERROR_RETRY_SECONDS, 'error')
  }
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
    waitTimeSeconds: POLL_WAIT_SECONDS,
    // On close, the last receives finish (and hand back what they get) before the process exits.
    pollingCompleteWaitTimeMs: (POLL_WAIT_SECONDS + 1) * 1000,
    visibilityTimeout: c.queue.visibilityTimeoutSeconds,
    heartbeatInterval: c.queue.heartbeatSeconds,
    messageSystemAttributeNames: ['ApproximateReceiveCount'],
    terminateVisibilityTimeout: messages => retryIn.get(messages[0]?.MessageId ?? '') ?? ERROR_RETRY_SECONDS,
    handleMessage: async (message) => {
      try {
        if (stopping) throw new RetryLater(0, 'shutting down')
        return await handle(message, limits)
      }
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
    stopping = true
    await Promise.all(consumers.map(consumer => new Promise<void>((resolve) => {
      consumer.once('stopped', () => resolve())
      consumer.stop()
    })))
  }
}
