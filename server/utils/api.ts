import { prefersRespondAsync } from '#shared/prefer'
import type { EventHandlerRequest, H3Event } from 'h3'
import { ZodError, type ZodType } from 'zod'
import { ERROR_STATUS } from '#shared/errors'
import { BackupInvalidError, isDatabaseFailure, StorageError } from '../engine/errors'

/**
 * Every API route is defined through this: the handler's errors pass through one mapper, so an
 * AppError keeps its stable code and translated message, a zod error becomes 422
 * VALIDATION_FAILED with field errors, and anything unexpected is a logged 500 INTERNAL_ERROR.
 */
export function defineApiHandler<T>(handler: (event: H3Event<EventHandlerRequest>) => Promise<T> | T) {
  return defineEventHandler(async (event) => {
    try {
      return await handler(event)
    }
    catch (err) {
      throw mapError(event, err)
    }
  })
}

export function mapError(event: H3Event, err: unknown) {
  if (err instanceof BackupInvalidError || err instanceof StorageError || isDatabaseFailure(err)) err = toAppError(err)
  if (err instanceof AppError) {
    // What to log follows from the status: a server-side failure is worth an operator's look.
    const status = ERROR_STATUS[err.code]
    if (status >= 500) logger[status === 503 ? 'warn' : 'error']({ code: err.code, path: event.path.split('?')[0], err: serializeError(err.cause ?? err) }, 'request failed')
    return toHttpError(event, err)
  }
  if (err instanceof ZodError) {
    const fields: Record<string, string> = {}
    for (const issue of err.issues) fields[issue.path.join('.') || '_'] ??= issue.message
    return toHttpError(event, new AppError('VALIDATION_FAILED', { fields }))
  }
  const h3 = err as { statusCode?: number, statusMessage?: string, data?: unknown }
  if (h3 && typeof h3.statusCode === 'number' && h3.statusCode < 500) {
    // h3's own client errors (malformed JSON body, payload too large, ...)
    const code = h3.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST'
    return toHttpError(event, new AppError(code))
  }
  logger.error({ path: event.path.split('?')[0], err: serializeError(err) }, 'unexpected error')
  return toHttpError(event, new AppError('INTERNAL_ERROR'))
}

/** API request bodies are small JSON documents; anything larger is refused while reading. */
export const MAX_BODY_BYTES = 64 * 1024

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Reads a body from the socket, at most MAX_BODY_BYTES. Over the limit it stops reading (pauses,
 * never destroys the request: destroying it detaches `req.socket`, and Nitro's graceful-shutdown
 * helper then throws an uncaught TypeError when the 413 finishes) and answers 413 with
 * `Connection: close`, so Node closes the connection after the answer instead of draining the rest.
 * A client that hangs up mid-body is an ordinary event, not a server failure to log as one:
 * nobody is left to read an answer (see plugins/02.client-gone.ts).
 */
function readSocketBody(event: H3Event): Promise<Buffer> {
  const req = event.node.req
  return new Promise((resolve, reject) => {
    if (req.readableEnded) return resolve(Buffer.alloc(0))
    if (req.destroyed) return reject(new AppError('BAD_REQUEST'))
    const chunks: Buffer[] = []
    let size = 0
    const done = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('close', onClose)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk)
      done()
      req.pause()
      setResponseHeader(event, 'Connection', 'close')
      reject(new AppError('PAYLOAD_TOO_LARGE'))
    }
    const onEnd = () => {
      done()
      resolve(Buffer.concat(chunks))
    }
    const onError = (err: Error) => {
      done()
      reject(new AppError('BAD_REQUEST', {}, { cause: err }))
    }
    const onClose = () => {
      if (!req.complete) onError(new Error('client closed the connection mid-body'))
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('close', onClose)
  })
}

async function readJson(event: H3Event): Promise<unknown> {
  const declared = Number(getRequestHeader(event, 'content-length') ?? 0)
  if (declared > MAX_BODY_BYTES) throw new AppError('PAYLOAD_TOO_LARGE')
  let raw: Buffer
  const req = event.node.req as typeof event.node.req & { body?: unknown, rawBody?: unknown }
  if (req.body !== undefined || req.rawBody !== undefined || event._requestBody !== undefined) {
    // A request the server makes to itself while rendering (e.g. nuxt-auth's SSR refresh) has its
    // body already in memory, not on a socket: let h3 read it.
    raw = (await readRawBody(event, false)) ?? Buffer.alloc(0)
    if (raw.length > MAX_BODY_BYTES) throw new AppError('PAYLOAD_TOO_LARGE')
  }
  else {
    raw = await readSocketBody(event)
  }
  // Bytes that are not UTF-8 would decode to U+FFFD and be stored as a silently different text:
  // refused like a lone surrogate in a field (shared/schemas/text.ts), one 422 for broken Unicode.
  let text: string
  try { text = utf8.decode(raw) }
  catch { throw new AppError('VALIDATION_FAILED', { fields: { _: 'validation.unicode' } }) }
  if (!text.trim()) return {}
  try { return JSON.parse(text) }
  catch { throw new AppError('BAD_REQUEST') }
}

/**
 * Reads and validates a JSON body: over MAX_BODY_BYTES is 413 PAYLOAD_TOO_LARGE (also when
 * chunked), malformed JSON 400 BAD_REQUEST, fields that fail the schema 422 VALIDATION_FAILED.
 */
export async function readBodyWith<T>(event: H3Event, schema: ZodType<T>): Promise<T> {
  return schema.parse(await readJson(event))
}

export function queryWith<T>(event: H3Event, schema: ZodType<T>): T {
  return schema.parse(getQuery(event))
}

/** Route parameters are validated like bodies and queries: 422 VALIDATION_FAILED naming the field. */
export function paramsWith<T>(event: H3Event, schema: ZodType<T>): T {
  return schema.parse(getRouterParams(event))
}

/** The client's address as seen by this server (no proxy headers are trusted by default). */
export function clientIp(event: H3Event): string {
  return getRequestIP(event, { xForwardedFor: process.env.COFRE_TRUST_PROXY === 'true' }) ?? 'unknown'
}

/** The client asked not to wait for a long operation (`Prefer: respond-async`, RFC 7240). */
export function respondsAsync(event: H3Event): boolean {
  return prefersRespondAsync(getHeader(event, 'prefer'))
}
