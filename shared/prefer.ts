/**
 * `Prefer: respond-async` (RFC 7240): the client follows long operations itself, so the API answers
 * 202 at once instead of waiting for the job. The backups screen sends it; API clients that do
 * not get the seed's contract (the answer once the job is done, within the wait budget).
 */
export const RESPOND_ASYNC = { Prefer: 'respond-async' } as const

/** Whether a Prefer header (a comma-separated list of preferences, each maybe with parameters) asks for respond-async. */
export function prefersRespondAsync(prefer: string | undefined | null): boolean {
  return (prefer ?? '').split(',').some(p => p.split(';')[0]!.trim().toLowerCase() === 'respond-async')
}
