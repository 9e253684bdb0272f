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

/** Only what helps an operator: name, code, message — never request objects with credentials. */
export function serializeError(err: unknown) {
  if (!(err instanceof Error)) return { message: String(err) }
  const e = err as Error & { code?: string, errno?: number, $metadata?: { requestId?: string, httpStatusCode?: number } }
  return { name: e.name, message: e.message, code: e.code, errno: e.errno, requestId: e.$metadata?.requestId, httpStatus: e.$metadata?.httpStatusCode }
}
