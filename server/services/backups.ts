import { randomUUID } from 'node:crypto'
import { and, asc, count, desc, eq, gt, gte, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/mysql-core'
import { backupFilename } from '#shared/backup-filename'
import { encodeBackupCursor, type AcceptedBackupDto, type BackupDto, type BackupKind, type BackupListQuery, type BackupPageDto, type CreatedBackupDto } from '#shared/schemas/backups'
import { backups, deletedBackupKeys, restores, type Backup } from '../db/schema'
import { USER_DATA_TABLES } from '../db/registry'
import { writeBackup } from '../engine/backup'
import type { Observed } from '../engine/progress'
import { DatabaseError, StorageError } from '../engine/errors'
import type { RowTap } from '../engine/export/export-rows'
import { FILE_EXTENSION, FORMAT_VERSION, SCHEMA_VERSION } from '../engine/format'
import { BACKUP_INVALID_REASONS, type BackupInvalidReason } from '#shared/errors'
import { audit } from './audit'
import { notify, type NotificationEvent } from './notifier'
import { cancelIfAbandoned } from './jobs/recovery'
import { acceptedState, enqueueJob, jobError, jobState, waitForFinish } from './jobs/enqueue'
import { finishJob, requestCancel, WORKER_ID, type JobEnd, type JobRun } from './jobs/record'

import pkg from '../../package.json'

/** Written into every backup's header: which app and version made it. */
const APP = { name: pkg.name, version: pkg.version }
const nowSql = () => toSqlTime()
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v)

/**
 * The key one attempt of a backup writes. Each attempt has its own (the first, and a safety
 * backup, the plain `<id>.jsonl.gz`; attempt n > 1 `<id>.a<n>.jsonl.gz`), so an attempt that lost
 * the job — a frozen worker whose upload S3 finishes late — can never replace the object another
 * attempt completed.
 */
export const backupKey = (userId: number, backupId: string, attempt?: number | null) =>
  `users/${userId}/backups/${backupId}${attempt && attempt > 1 ? `.a${attempt}` : ''}.${FILE_EXTENSION}`
/**
 * Where a backup's object lives is derived from its owner, id and completing attempt, never read
 * from the row's `url`: a catalogue row pointing at another user's object must not make Cofre
 * presign, restore or delete that object. (`url` stays as the seed's record of where the file was
 * written.)
 */
const keyOf = (row: Pick<Backup, 'userId' | 'id' | 'objectAttempt'>) => backupKey(row.userId, row.id, row.objectAttempt)
/** Every key the attempts of a backup may have written (attempts counts the claims; at least the first). */
const keysOf = (row: Pick<Backup, 'userId' | 'id' | 'attempts'>) =>
  Array.from({ length: Math.max(1, row.attempts) }, (_, i) => backupKey(row.userId, row.id, i + 1))

const iso = fromSqlTime

/** A row as the API shows it; `timeZone` names the file as the user's list shows its time. */
export function toDto(row: Backup, timeZone: string, restoreOfCreatedAt: string | null = null): BackupDto {
  return {
    ...jobState(row),
    backup_id: row.id,
    kind: row.kind,
    status: row.status,
    size_bytes: row.sizeBytes,
    sha256: row.sha256,
    row_counts: json(row.rowCounts),
    format_version: row.formatVersion,
    schema_version: row.schemaVersion,
    error_code: row.errorCode,
    error_detail: json(row.errorDetail),
    note: row.note,
    restore_of: row.restoreOf,
    restore_of_created_at: restoreOfCreatedAt ? iso(restoreOfCreatedAt) : null,
    restored_at: row.restoredAt ? iso(row.restoredAt) : null,
    created_at: iso(row.createdAt),
    completed_at: row.completedAt ? iso(row.completedAt) : null,
    filename: backupFilename(iso(row.createdAt), timeZone, row.formatVersion),
  }
}

/** The backup a safety backup was taken before, joined for its date (it may be deleted: left join). */
const restoredTarget = alias(backups, 'restored_target')
const selectWithTarget = () => useDb().select({ row: backups, restoreOfCreatedAt: restoredTarget.createdAt }).from(backups)
  .leftJoin(restoredTarget, and(eq(restoredTarget.id, backups.restoreOf), eq(restoredTarget.userId, backups.userId)))

async function db<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try { return await fn() }
  catch (err) { throw databaseFailure(new DatabaseError(operation, { cause: err })) }
}

/**
 * A sliding-window limit over events the database already records (their timestamps, oldest
 * first): 429 with the seconds until the oldest counted one leaves the window.
 */
export function checkWindow(times: string[], limit: number, windowSeconds: number) {
  if (times.length < limit) return
  const oldest = new Date(fromSqlTime(times[times.length - limit]!)).getTime()
  throw new AppError('RATE_LIMITED', { retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowSeconds * 1000 - Date.now()) / 1000)) })
}

export const windowStart = (seconds: number) => toSqlTime(new Date(Date.now() - seconds * 1000))

/** Manual backups per user per window. */
async function checkBackupRate(userId: number) {
  const { rateLimit, rateWindowSeconds } = cofreConfig().backups
  const recent = await db('backup.rate', () => useDb().select({ createdAt: backups.createdAt }).from(backups)
    .where(and(eq(backups.userId, userId), eq(backups.kind, 'manual'), gte(backups.createdAt, windowStart(rateWindowSeconds))))
    .orderBy(asc(backups.createdAt)))
  checkWindow(recent.map(r => r.createdAt), rateLimit, rateWindowSeconds)
}

/**
 * Backups of every kind a user keeps (queued, running or completed; a failed one has no object) count
 * toward NUXT_BACKUPS_MAX_STORED_PER_USER. A restore makes a safety backup, so it is checked too.
 */
export async function checkStorageQuota(userId: number) {
  const max = cofreConfig().backups.maxStoredPerUser
  // An invalid backup still has its object until the user deletes it.
  const [row] = await db('backup.quota', () => useDb().select({ n: count() }).from(backups)
    .where(and(eq(backups.userId, userId), inArray(backups.status, ['queued', 'running', 'completed', 'invalid']))))
  if ((row?.n ?? 0) >= max) throw new AppError('QUOTA_EXCEEDED')
}

/** Registers a backup job's row; each attempt's object key follows from its owner, id and attempt (backupKey). */
export async function registerBackup(userId: number, kind: BackupKind, o: { status: 'queued' | 'running', restoreOf?: string }, tx: Pick<ReturnType<typeof useDb>, 'insert'> = useDb()): Promise<string> {
  const id = randomUUID()
  await db('backup.register', () => tx.insert(backups).values({
    id, userId, url: useObjectStore().uri(backupKey(userId, id)), status: o.status, kind, formatVersion: FORMAT_VERSION, schemaVersion: SCHEMA_VERSION, restoreOf: o.restoreOf ?? null,
    ...(o.status === 'running' ? { startedAt: nowSql(), heartbeatAt: nowSql(), workerId: WORKER_ID, attempts: 1 } : {}),
  }))
  return id
}

export interface ExecuteOptions extends Observed {
  /** Sees each exported row (the restore compares them with the file in the same read). */
  tap?: RowTap
  /** A queued job's attempt (claimJob): its row's writes are fenced by it. */
  attempt?: number
}

/**
 * Runs one registered backup for a user who holds the job lock: streams the data to S3, then
 * marks the row `completed` with size, SHA-256 and row counts. On an S3 failure the row is
 * `failed`, one SNS message goes out, and STORAGE_ERROR is thrown; on a database failure the upload
 * is aborted and DATABASE_ERROR thrown; cancelled (`signal`), the upload is aborted, the row
 * `cancelled` and JOB_CANCELLED thrown. A completed row always has its object and no object is
 * left without a completed row.
 */
export async function executeBackup(row: Pick<Backup, 'id' | 'userId' | 'kind'>, ip: string | null, o: ExecuteOptions = {}): Promise<Backup> {
  const { id, userId, kind } = row
  const store = useObjectStore()
  // Attempt 1 (and a safety backup, run with no attempt) writes the plain key; a later attempt its own.
  const laterAttempt = o.attempt !== undefined && o.attempt > 1 ? o.attempt : null
  const key = backupKey(userId, id, laterAttempt)
  /** Ends the row failed; true if this call did. Not ended (the database failing, or the row no longer this run's): runDelivery's endFailedJob ends it; the log says which. */
  const fail = async (code: string, detail: Record<string, unknown> | null = null) => {
    const ended = await finishJob('backup', id, { status: 'failed', errorCode: code, errorDetail: detail, attempt: o.attempt })
      .catch((err) => { logger.error({ err: serializeError(err), backupId: id }, 'could not record the failed backup'); return null })
    if (ended === false) logger.warn({ backupId: id, code }, 'the failed backup\'s row was no longer this run\'s to end')
    await audit({ userId, action: 'backup.create', targetId: id, outcome: 'failure', detail: { kind, code }, ip })
    return ended === true
  }

  let result
  try {
    result = await writeBackup({ pool: useDbHandle().pool, store, key, userId, backupId: id, tables: USER_DATA_TABLES, app: APP, tap: o.tap, onProgress: o.onProgress, signal: o.signal })
  }
  catch (err) {
    if (o.signal?.aborted) throw await cancelled(row, ip, o.attempt)
    const failure = err instanceof StorageError
      ? await storageFailure(err, kind === 'pre-restore' ? 'restore.storage_error' : 'backup.storage_error', { backupId: id, userId, kind })
      : databaseFailure(err)
    // Not ended by this run (another attempt holds the job, or ended it): whatever this attempt wrote goes.
    if (!await fail(failure.code, err instanceof StorageError ? failure.data ?? null : null)) await dropOwnObject(row, o.attempt)
    throw failure
  }

  let completed: boolean
  try {
    completed = await finishJob('backup', id, {
      status: 'completed',
      unlessCancelled: true,
      attempt: o.attempt,
      rows: Object.values(result.rowCounts).reduce((n, c) => n + c, 0),
      // A first attempt's completion leaves no other attempt's key behind: nothing for the sweep.
      set: { size_bytes: result.sizeBytes, sha256: result.sha256, row_counts: JSON.stringify(result.rowCounts), url: store.uri(key), object_attempt: laterAttempt, swept_at: laterAttempt ? null : nowSql() },
    })
  }
  catch (err) {
    // The object exists but its row could not be completed: the row failed, then the object
    // removed — only if this call failed it (the completion may have committed, its reply lost).
    if (await fail('DATABASE_ERROR')) await discardObject(key, id)
    throw databaseFailure(err)
  }
  if (!completed) {
    const [now] = await db('backup.read', () => useDb().select().from(backups).where(eq(backups.id, id)))
    // Completed by another attempt (this run had lost the job): that one's record and object
    // stand; this attempt's own object goes.
    if (now?.status === 'completed') {
      await dropOwnObject(row, o.attempt, now)
      return now
    }
    // Cancelled, or ended elsewhere, while the upload finished: no object may outlive the row's status.
    throw await cancelled(row, ip, o.attempt)
  }
  await audit({ userId, action: 'backup.create', targetId: id, detail: { kind, sizeBytes: result.sizeBytes }, ip })
  const [done] = await db('backup.read', () => useDb().select().from(backups).where(eq(backups.id, id)))
  return done!
}

/**
 * A cancelled backup leaves nothing: no object, its row `cancelled` (unless it was already ended).
 * A run that lost its job (JobRun aborts then too) touches nothing another attempt owns: it removes
 * only its own attempt's key (dropOwnObject), never the object a completed row records.
 */
async function cancelled(row: Pick<Backup, 'id' | 'userId' | 'kind'>, ip: string | null, attempt?: number): Promise<AppError> {
  const rows = await useDb().select({ status: backups.status, workerId: backups.workerId, attempts: backups.attempts, objectAttempt: backups.objectAttempt }).from(backups).where(eq(backups.id, row.id))
    .catch((err) => { logger.error({ err: serializeError(err), backupId: row.id }, 'could not read the cancelled backup'); return null })
  const now = rows?.[0]
  const open = now?.status === 'queued' || now?.status === 'running'
  const ours = open && (attempt === undefined || (now!.workerId === WORKER_ID && now!.attempts === attempt))
  let ended = false
  if (ours) {
    ended = await endBackup({ ...row, attempts: now!.attempts }, { status: 'cancelled', errorCode: 'JOB_CANCELLED', attempt })
      .catch((err) => { logger.error({ err: serializeError(err), backupId: row.id }, 'could not record the cancelled backup'); return false })
  }
  // Ended elsewhere (recovered, say), completed by another attempt, or deleted, while this run
  // still uploaded: what this attempt uploaded goes.
  // (Unreadable: left to the sweep, as dropOwnObject does.)
  else if (rows) await dropOwnObject(row, attempt, now ?? null)
  if (ended) await audit({ userId: row.userId, action: 'backup.cancel', targetId: row.id, detail: { kind: row.kind }, ip })
  return new AppError('JOB_CANCELLED')
}

/**
 * What a run that did not end its backup's row wrote goes: its own attempt's key, unless that is
 * the object the row records (`now`: the row as read, read here if not given; null: the row is
 * gone). Unreadable, nothing is removed: the sweep finds an ended row's keys later.
 */
async function dropOwnObject(row: Pick<Backup, 'id' | 'userId'>, attempt: number | undefined, now?: Pick<Backup, 'status' | 'objectAttempt'> | null) {
  const own = backupKey(row.userId, row.id, attempt)
  let current = now
  if (current === undefined) {
    try { [current = null] = await useDb().select({ status: backups.status, objectAttempt: backups.objectAttempt }).from(backups).where(eq(backups.id, row.id)) }
    catch (err) {
      logger.warn({ err: serializeError(err), backupId: row.id }, 'could not read the backup before removing this attempt\'s object; left to the sweep')
      return
    }
  }
  const recorded = current && (current.status === 'completed' || current.status === 'invalid') && keyOf({ ...row, objectAttempt: current.objectAttempt }) === own
  if (!recorded) await discardObject(own, row.id)
}

/**
 * Removes what a backup may have left in storage: an object, or a multipart upload in progress.
 * Best effort, and bounded: it runs when S3 may be what failed, so all its calls share the
 * multipart abort's budget (ObjectStore.discard); what it could not remove is logged.
 */
export async function discardObject(key: string | string[], backupId: string) {
  await useObjectStore().discard(key).catch(err => logger.warn({ err: serializeError(err), backupId }, 'could not remove what the backup left in storage'))
}

/**
 * Ends an unfinished backup's row and removes what it left in storage. A cancel is answered once
 * nothing is left — what the user asked for — which a silent S3 delays by at most the removal's
 * 5 s budget; a failure is recorded first and cleaned up after, so an unwell S3 never delays it.
 * True if this call ended the row.
 */
async function endBackup(row: Pick<Backup, 'id' | 'userId' | 'attempts'>, end: JobEnd): Promise<boolean> {
  const discard = () => discardObject(keysOf(row), row.id)
  if (end.status === 'cancelled') {
    await discard()
    return finishJob('backup', row.id, end)
  }
  const ended = await finishJob('backup', row.id, end)
  // Only the call that ended it cleans up: a row completed meanwhile keeps its object.
  if (ended) await discard()
  return ended
}

/**
 * Ends a backup left unfinished (a dead attempt's, or one whose run failed before it could record
 * why): failed JOB_INTERRUPTED unless told otherwise, its partial upload or object removed
 * (endBackup). True if this call ended it.
 */
export async function endUnfinishedBackup(id: string, end: JobEnd = { status: 'failed', errorCode: 'JOB_INTERRUPTED' }): Promise<boolean> {
  const [row] = await db('backup.get', () => useDb().select().from(backups).where(eq(backups.id, id)))
  if (!row || !['queued', 'running'].includes(row.status)) return false
  return endBackup(row, end)
}

/**
 * What a slow S3 made after its row ended. A request that creates an object (a multipart
 * completion, a PutObject) and passed its deadline may still be finished by S3 later: after the
 * failure's cleanup or the cancel's removal ran (endBackup), or — an attempt that lost the job to
 * another — after that other attempt completed the backup. Each row that ended at least
 * `afterSeconds` ago failed or cancelled has every attempt's key removed once more, and each
 * completed (or since found invalid) one that took more than one attempt every key but its own;
 * oldest first, each then marked swept. Then the same for deleted rows whose keys are due
 * (deleted_backup_keys, see deleteBackupRow). An S3 that fails a removal stops that list's pass
 * (the row is tried on the next one). Returns the rows swept.
 */
export async function sweepLeftovers(afterSeconds: number, batch = 100): Promise<number> {
  const rows = await useDb().select({ id: backups.id, userId: backups.userId, status: backups.status, attempts: backups.attempts, objectAttempt: backups.objectAttempt }).from(backups).where(and(
    // A completed row is marked swept at its completion unless more than one attempt ran it.
    or(inArray(backups.status, ['failed', 'cancelled']), and(inArray(backups.status, ['completed', 'invalid']), gt(backups.attempts, 1))),
    isNull(backups.sweptAt),
    sql`${backups.completedAt} <= CURRENT_TIMESTAMP(3) - INTERVAL ${afterSeconds} SECOND`,
  )).orderBy(asc(backups.completedAt)).limit(batch)
  const deleted = await useDb().select().from(deletedBackupKeys).where(lte(deletedBackupKeys.dueAt, sql`CURRENT_TIMESTAMP(3)`))
    .orderBy(asc(deletedBackupKeys.dueAt)).limit(batch)
  return await sweepEach(rows.map(row => ({
    id: row.id,
    // A completed (or since invalid) row keeps its own object; an ended one keeps nothing.
    keys: row.status === 'completed' || row.status === 'invalid' ? keysOf(row).filter(k => k !== keyOf(row)) : keysOf(row),
    done: () => useDb().update(backups).set({ sweptAt: sql`CURRENT_TIMESTAMP(3)` }).where(eq(backups.id, row.id)),
  }))) + await sweepEach(deleted.map(entry => ({
    id: entry.backupId,
    keys: keysOf({ id: entry.backupId, userId: entry.userId, attempts: entry.attempts }),
    done: () => useDb().delete(deletedBackupKeys).where(eq(deletedBackupKeys.backupId, entry.backupId)),
  })))
}

/** Removes each backup's keys once more, in order, recording each (done); an S3 that fails the removal stops the pass. */
async function sweepEach(items: { id: string, keys: string[], done: () => Promise<unknown> }[]): Promise<number> {
  let swept = 0
  for (const item of items) {
    try { await useObjectStore().discard(item.keys) }
    catch (err) {
      logger.warn({ err: serializeError(err), backupId: item.id }, 'could not sweep what a backup left in storage; tried again on the next pass')
      break
    }
    await item.done()
    swept++
  }
  return swept
}

/**
 * Deletes a backup's row. Unless the sweep already visited it (a backup completed by its first
 * attempt is marked so at once), S3 may still finish a creating request for one of its keys after
 * this — a failed or cancelled upload, a frozen attempt — and with the row gone nothing would find
 * that object: its keys stay listed (deleted_backup_keys) for the sweep, due
 * NUXT_BACKUPS_SWEEP_AFTER_SECONDS from now, in the same transaction as the delete. `always`: listed
 * even if the sweep visited it (a row still running may be completed meanwhile by a run that
 * wakes up). The row is locked first (FOR UPDATE), so two deletes of one backup queue up instead
 * of deadlocking on the shared lock an INSERT … SELECT would take.
 */
async function deleteBackupRow(userId: number, id: string, o: { always?: boolean } = {}) {
  const after = cofreConfig().backups.sweepAfterSeconds
  await useDb().transaction(async (tx) => {
    const [row] = await tx.select({ attempts: backups.attempts, sweptAt: backups.sweptAt }).from(backups)
      .where(and(eq(backups.id, id), eq(backups.userId, userId))).for('update')
    if (!row) return
    if (o.always || row.sweptAt === null) {
      await tx.execute(sql`INSERT INTO ${deletedBackupKeys} (backup_id, user_id, attempts, due_at)
        VALUES (${id}, ${userId}, ${Math.max(1, row.attempts)}, CURRENT_TIMESTAMP(3) + INTERVAL ${after} SECOND)
        ON DUPLICATE KEY UPDATE due_at = CURRENT_TIMESTAMP(3) + INTERVAL ${after} SECOND`)
    }
    await tx.delete(backups).where(and(eq(backups.id, id), eq(backups.userId, userId)))
  })
}

/** Removes a backup the user never asked for (a cancelled restore's safety backup): object and row. Best effort. */
export async function removeBackup(userId: number, id: string) {
  // Unreadable (the database failing): removed anyway, as if it were not known to be cancelled.
  const [row] = await db('backup.get', () => useDb().select({ status: backups.status }).from(backups).where(and(eq(backups.id, id), eq(backups.userId, userId))))
    .catch((err) => {
      logger.warn({ err: serializeError(err), backupId: id }, 'could not read the backup before removing it; removing it all the same')
      return []
    })
  // A safety backup cancelled with its restore already removed what it left (cancelled()).
  if (row?.status !== 'cancelled') await discardObject(backupKey(userId, id), id)
  // Its keys are listed for the sweep whatever its state: a run of it that wakes up may still
  // complete it (and mark it swept) between the removal above and the row's delete.
  await deleteBackupRow(userId, id, { always: true })
    .catch(err => logger.error({ err: serializeError(err), backupId: id }, 'could not remove the backup row'))
}

/** A backup run directly by a job that already holds the lock (the restore's safety backup). */
export async function runBackup(userId: number, kind: BackupKind, ip: string | null, o: ExecuteOptions & { restoreOf?: string, onRegistered?: (id: string) => Promise<void> } = {}): Promise<Backup> {
  const id = await registerBackup(userId, kind, { status: 'running', restoreOf: o.restoreOf })
  await o.onRegistered?.(id)
  return executeBackup({ id, userId, kind }, ip, o)
}

/**
 * The worker's side of a manual backup (the job lock held, the row claimed). A delivery after a
 * worker died mid-backup first removes that attempt's partial upload, then starts over.
 */
export async function runBackupJob(id: string, run: JobRun, ip: string | null) {
  const [row] = await db('backup.get', () => useDb().select().from(backups).where(eq(backups.id, id)))
  if (!row) return
  // Each attempt writes its own key; what the earlier ones left (a dead worker's partial upload) goes.
  if (run.attempt > 1) await discardObject(keysOf({ ...row, attempts: run.attempt - 1 }), id)
  run.stage('reading')
  await executeBackup(row, ip, { onProgress: run.listen, signal: run.signal, attempt: run.attempt })
}

/**
 * An S3 failure as the API reports it: one SNS event, and `notified` says whether it went out
 * (the user is told the team knows only when it does).
 */
export async function storageFailure(err: StorageError, event: NotificationEvent, body: Record<string, unknown>): Promise<AppError> {
  const notified = await notify(event, { ...body, operation: err.operation, errorName: err.awsErrorName, requestId: err.requestId ?? null })
  return new AppError('STORAGE_ERROR', { notified }, { cause: err })
}

/**
 * Records that a stored backup proved unusable (a restore's validation or a missing object): the
 * list then says so, and only deleting it is offered. Best effort: the caller's error is the answer.
 */
export async function markInvalid(row: Pick<Backup, 'id' | 'userId'>, reason: BackupInvalidReason) {
  await useDb().update(backups).set({ status: 'invalid', errorCode: reason })
    .where(and(eq(backups.id, row.id), eq(backups.userId, row.userId), eq(backups.status, 'completed')))
    .catch(err => logger.error({ err: serializeError(err), backupId: row.id }, 'could not mark the backup invalid'))
}

/**
 * A link is issued only for an object that exists (HEAD first): a missing one would send the
 * browser to S3's raw error page, and a storage outage would show the browser's own — both away
 * from Cofre. Either is answered here instead, in the user's words.
 */
async function withDownloadLink(row: Backup, timeZone: string): Promise<CreatedBackupDto> {
  const ttl = cofreConfig().presignTtlSeconds
  const store = useObjectStore()
  const dto = toDto(row, timeZone)
  try {
    if (!(await store.head(keyOf(row)))) {
      await markInvalid(row, 'missing_object')
      throw new AppError('BACKUP_INVALID', { reason: 'missing_object' })
    }
    const urlDownload = await store.presignGet(keyOf(row), ttl, dto.filename)
    return { ...dto, urlDownload, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() }
  }
  catch (err) {
    if (err instanceof StorageError) throw await storageFailure(err, 'backup.storage_error', { backupId: row.id, userId: row.userId, kind: row.kind })
    throw err
  }
}

/**
 * POST /api/backup: rate limit and quota, then the job is queued (one job per user at a time) and
 * awaited for the wait budget: finished in time, the answer is today's (201 with a fresh download
 * link, or the job's error); otherwise 202 with where the job is.
 */
export async function requestBackup(userId: number, ip: string, timeZone: string, budgetMs: number): Promise<{ done: CreatedBackupDto } | { accepted: AcceptedBackupDto }> {
  await checkBackupRate(userId)
  await checkStorageQuota(userId)
  const id = await enqueueJob('backup', userId, ip, tx => registerBackup(userId, 'manual', { status: 'queued' }, tx))
  const state = await waitForFinish('backup', id, budgetMs)
  const [row] = await db('backup.read', () => useDb().select().from(backups).where(eq(backups.id, id)))
  if (!row) throw new AppError('NOT_FOUND')
  if (row.status === 'completed') return { done: await withDownloadLink(row, timeZone) }
  if (state.finished) throw jobError(row)
  return { accepted: { backup_id: id, ...acceptedState(row) } }
}

/**
 * One page of the caller's backups, newest first (created_at desc, id desc: a total order, so a
 * cursor neither skips nor repeats rows that share a timestamp, and rows added on top meanwhile do
 * not shift the pages after it). Reads one row more than the page to know whether another follows.
 * Served by `backups_user_created_idx (user_id, created_at)`: InnoDB secondary indexes end with
 * the primary key, so the index is ordered by (user_id, created_at, id) on MySQL 8 and MariaDB.
 */
export async function listBackups(userId: number, { limit, cursor }: BackupListQuery, timeZone: string): Promise<BackupPageDto> {
  // (created_at, id) < cursor, spelled out as an OR of ranges (row-value comparisons are not
  // range-optimized everywhere): the scan starts at the cursor, so a deep page costs what the first
  // does (MariaDB 10.11 ANALYZE, 20,000 rows, page at 19,000: range on the index, 101 rows read).
  const after = cursor && or(lt(backups.createdAt, cursor.createdAt), and(eq(backups.createdAt, cursor.createdAt), lt(backups.id, cursor.id)))
  const rows = await db('backup.list', () => selectWithTarget()
    .where(and(eq(backups.userId, userId), after))
    .orderBy(desc(backups.createdAt), desc(backups.id))
    .limit(limit + 1))
  const page = rows.slice(0, limit)
  const last = page.at(-1)?.row
  return { items: page.map(r => toDto(r.row, timeZone, r.restoreOfCreatedAt)), next_cursor: rows.length > limit && last ? encodeBackupCursor(last) : null }
}

/** One of the caller's backups as the API shows it (404 for anyone else's). */
export async function getBackup(userId: number, id: string, timeZone: string): Promise<BackupDto> {
  const [r] = await db('backup.get', () => selectWithTarget().where(and(eq(backups.id, id), eq(backups.userId, userId))))
  if (!r) throw new AppError('NOT_FOUND')
  return toDto(r.row, timeZone, r.restoreOfCreatedAt)
}

/** PATCH /api/backups/:id: the user's note (null clears it). */
export async function setBackupNote(userId: number, id: string, note: string | null, timeZone: string): Promise<BackupDto> {
  await getOwnedBackup(userId, id)
  await db('backup.note', () => useDb().update(backups).set({ note }).where(and(eq(backups.id, id), eq(backups.userId, userId))))
  return getBackup(userId, id, timeZone)
}

/**
 * POST /api/backups/:id/cancel — stops a queued or running backup of the caller's: its upload is
 * aborted and nothing is left (no object; the row says `cancelled`). Answers the backup once it has
 * stopped (or, past the wait budget, as it is then: a running job stops at its next progress point).
 * A safety backup is cancelled through its restore; a finished backup cannot be (409).
 */
export async function cancelBackup(userId: number, id: string, ip: string, timeZone: string): Promise<BackupDto> {
  const row = await getOwnedBackup(userId, id)
  if (row.kind !== 'manual' || !['queued', 'running'].includes(row.status)) throw new AppError('JOB_NOT_CANCELLABLE')
  await db('backup.cancel', async () => {
    await requestCancel('backup', id, userId)
    await cancelIfAbandoned('backup', id, userId, ip)
  })
  await waitForFinish('backup', id)
  const dto = await getBackup(userId, id, timeZone)
  if (dto.status === 'completed') throw new AppError('JOB_NOT_CANCELLABLE')
  return dto
}

/** The caller's backup, or 404 — another user's id is indistinguishable from a missing one. */
export async function getOwnedBackup(userId: number, id: string): Promise<Backup> {
  const [row] = await db('backup.get', () => useDb().select().from(backups).where(and(eq(backups.id, id), eq(backups.userId, userId))))
  if (!row) throw new AppError('NOT_FOUND')
  return row
}

export async function downloadLink(userId: number, id: string, ip: string, timeZone: string): Promise<CreatedBackupDto> {
  const row = await getOwnedBackup(userId, id)
  if (row.status === 'invalid') throw new AppError('BACKUP_INVALID', { reason: invalidReason(row.errorCode) })
  if (row.status !== 'completed') throw new AppError('BACKUP_NOT_READY')
  const dto = await withDownloadLink(row, timeZone)
  await audit({ userId, action: 'backup.download_link', targetId: id, ip })
  return dto
}

/** Deletes the object, then the row; the audit entry stays. */
export async function deleteBackup(userId: number, id: string, ip: string) {
  const row = await getOwnedBackup(userId, id)
  if (row.status === 'queued' || row.status === 'running') throw new AppError('JOB_IN_PROGRESS')
  // A restore waiting for a worker (or running) needs this file: it goes only after that restore.
  const [target] = await db('backup.restoring', () => useDb().select({ id: restores.id }).from(restores)
    .where(and(eq(restores.userId, userId), eq(restores.backupId, id), inArray(restores.status, ['queued', 'running']))).limit(1))
  if (target) throw new AppError('JOB_IN_PROGRESS')
  // Whatever another attempt of it may have left, then its object: a failure midway leaves the
  // row with its object, still usable.
  try {
    const stale = keysOf(row).filter(k => k !== keyOf(row))
    if (stale.length) await useObjectStore().discard(stale)
    await useObjectStore().delete(keyOf(row))
  }
  catch (err) { throw err instanceof StorageError ? await storageFailure(err, 'backup.storage_error', { backupId: id, userId, kind: row.kind }) : err }
  await db('backup.delete', () => deleteBackupRow(userId, id))
  await audit({ userId, action: 'backup.delete', targetId: id, detail: { kind: row.kind, status: row.status }, ip })
}

export { keyOf as backupObjectKey }

/** The reason recorded on an invalid row (its error_code), as the API's vocabulary knows it. */
export function invalidReason(code: string | null): BackupInvalidReason {
  return (BACKUP_INVALID_REASONS as readonly string[]).includes(code ?? '') ? code as BackupInvalidReason : 'malformed'
}

/** A successful restore: when, on the restored backup (a safety backup's row then says it was undone to). */
/** The statement that marks a backup restored: run inside the restore's own transaction, at its commit's time (the database's clock, as completed_at). */
export function markRestoredStatement(userId: number, id: string) {
  const statement = useDb().update(backups).set({ restoredAt: sql`CURRENT_TIMESTAMP(3)` }).where(and(eq(backups.id, id), eq(backups.userId, userId))).toSQL()
  return { sql: statement.sql, values: statement.params }
}
