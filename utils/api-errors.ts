// The one place an API error becomes words: the server sends a stable code and a message already
// translated into the request's language; forms also get field errors as i18n keys. Job failures
// on the backup screen add a title and plain-language detail per code (useBackupProblem).

/** The translated message of an API error (the server already translated it), or a fallback key. */
export function apiErrorMessage(err: unknown, fallback: string): string {
  const e = err as { data?: { message?: string }, statusMessage?: string }
  return e?.data?.message ?? fallback
}

/** The field errors (path → i18n key) of a 422 answer from the API, if any. */
export function apiFieldErrors(err: unknown): Record<string, string> {
  return (err as { data?: { data?: { fields?: Record<string, string> } } })?.data?.data?.fields ?? {}
}
