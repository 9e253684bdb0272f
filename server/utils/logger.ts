import pino from 'pino'

/**
 * The server's structured logger (JSON lines on stdout). Secrets, tokens and presigned URLs are
 * never logged: known sensitive keys are redacted, and callers log ids and codes, never URLs.
 */
export const logger = pino({
  level: process.env.COFRE_LOG_LEVEL ?? (import.meta.dev ? 'debug' : 'info'),
  base: { app: 'cofre' },
  redact: {
    paths: ['password', '*.password', 'token', '*.token', 'accessToken', 'refreshToken', '*.refreshToken', 'authorization', '*.authorization', 'headers.authorization', 'headers.cookie', 'urlDownload', '*.urlDownload', 'presignedUrl', 'secretAccessKey', '*.secretAccessKey'],
    censor: '[redacted]',
  },
})

interface LoggedError {
  name?: string
  code?: string
  errno?: number
  sqlState?: string
  operation?: string
  requestId?: string
  httpStatus?: number
  message?: string
  cause?: LoggedError
}

type ErrorFields = Error & {
  code?: unknown, errno?: unknown, sqlState?: unknown, operation?: unknown
  $metadata?: { requestId?: string, httpStatusCode?: number }
}

/**
 * Database errors carry the values a statement was sent with: Drizzle's message is
 * "Failed query: … params: <every bound value>" (password hashes, notes, amounts), the driver's
 * own message quotes values ("Duplicate entry '<e-mail>'"), its `sql` has them inlined, and
 * wrappers such as DatabaseError repeat their cause's message.
 */
function isDatabaseError(e: Error): boolean {
  return 'params' in e || 'query' in e || 'sql' in e || 'sqlMessage' in e || 'sqlState' in e
    || /^Failed query:|\bparams:/m.test(e.message)
}

const MAX_CAUSES = 5

/**
 * What helps an operator and nothing that could hold a user's data or a secret: for each error
 * of the cause chain its name, code, errno, SQL state, operation and AWS request id. Messages
 * only when no error of the chain came from the database (see isDatabaseError): a database
 * failure is logged as e.g. `{ name: 'DatabaseError', operation, cause: { code:
 * 'ER_LOCK_WAIT_TIMEOUT', errno: 1205, sqlState: 'HY000' } }`, never with the query or its
 * parameters. Request objects (credentials) are never walked.
 */
export function serializeError(err: unknown): LoggedError {
  const chain: Error[] = []
  for (let e: unknown = err; e instanceof Error && chain.length < MAX_CAUSES && !chain.includes(e); e = e.cause) chain.push(e)
  if (!chain.length) return { message: String(err).slice(0, 300) }
  const withMessages = !chain.some(isDatabaseError)
  let out: LoggedError | undefined
  for (const e of chain.reverse() as ErrorFields[]) {
    const entry: LoggedError = {
      name: e.name,
      code: typeof e.code === 'string' ? e.code : undefined,
      errno: typeof e.errno === 'number' ? e.errno : undefined,
      sqlState: typeof e.sqlState === 'string' ? e.sqlState : undefined,
      operation: typeof e.operation === 'string' ? e.operation : undefined,
      requestId: e.$metadata?.requestId,
      httpStatus: e.$metadata?.httpStatusCode,
      message: withMessages ? e.message.slice(0, 300) : undefined,
      cause: out,
    }
    out = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as LoggedError
  }
  return out!
}
