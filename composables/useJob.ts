import type { JobStateDto } from '#shared/schemas/jobs'

/** What a progress bar shows of a followed job. */
export interface JobView {
  state: JobStateDto | null
  /** null while the job does not know its total (the bar is indeterminate). */
  percent: number | null
  /** Seconds left in the current stage, once a rate is known. */
  eta: number | null
  cancellable: boolean
  cancelling: boolean
}

/** How often a running job is asked where it is. */
const POLL_MS = 500
/** Polls in a row that may fail (backing off: about 30 s in all) before the screen reports the error. */
const MAX_MISSED_POLLS = 6

const FINISHED = new Set(['completed', 'failed', 'cancelled', 'invalid'])
export const isFinished = (s: Pick<JobStateDto, 'status'>) => FINISHED.has(s.status)

/**
 * Follows one background job (a backup's or a restore's) by polling its resource until it
 * finishes: where it is (`state`), how far in percent, and the time left in its stage, estimated
 * from the rate since the stage began. Polling (not server-sent events) keeps the Bearer header
 * and works through every proxy; 2 requests a second for one job is cheap.
 */
export function useJob<T extends JobStateDto>() {
  const api = useApi()
  const state = ref<T | null>(null) as Ref<T | null>
  /** Where the current stage started: its progress and the time, for the rate. */
  let stageStart: { stage: string, done: number, at: number } | null = null
  const etaSeconds = ref<number | null>(null)
  let stopped = false
  let url = ''

  function observe(next: T) {
    const now = Date.now()
    const { done, total } = next.progress
    if (!stageStart || stageStart.stage !== next.stage || done < stageStart.done) stageStart = { stage: next.stage, done, at: now }
    const rate = (done - stageStart.done) / Math.max(1, now - stageStart.at)
    etaSeconds.value = total > 0 && rate > 0 && now - stageStart.at > 1500 ? Math.max(1, Math.round((total - done) / rate / 1000)) : null
    state.value = next
  }

  /** Polls `resource` (e.g. /api/backups/<id>) until the job finishes; resolves with its last state. */
  async function follow(resource: string, initial?: T): Promise<T> {
    url = resource
    stopped = false
    stageStart = null
    if (initial) observe(initial)
    let misses = 0
    for (;;) {
      let next: T
      try { next = await api<T>(resource) }
      catch (err) {
        // A poll lost on the way (the network, a busy server) does not end the job: ask again,
        // and give up only after a run of failures, or when the answer is final (gone, signed out).
        const status = (err as { statusCode?: number }).statusCode
        if (status === 401 || status === 403 || status === 404 || ++misses >= MAX_MISSED_POLLS) throw err
        await new Promise(r => setTimeout(r, POLL_MS * 2 ** misses))
        continue
      }
      misses = 0
      observe(next)
      if (isFinished(next) || stopped) return next
      await new Promise(r => setTimeout(r, POLL_MS))
    }
  }

  /** Asks the job to stop; its next poll shows the outcome. */
  async function cancel(): Promise<void> {
    if (url) await api(`${url}/cancel`, { method: 'POST' })
  }

  function stop() { stopped = true }
  onBeforeUnmount(stop)

  const percent = computed(() => {
    const p = state.value?.progress
    return p && p.total > 0 ? Math.min(100, Math.floor((p.done / p.total) * 100)) : null
  })

  return { state, percent, etaSeconds, follow, cancel, stop, reset: () => { state.value = null; etaSeconds.value = null } }
}
