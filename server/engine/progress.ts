/**
 * How a stage of a backup or restore says how far it is: one small event type for every stage,
 * so a job runner can persist it, a screen can show it and the benchmark can time it.
 */
export type Stage = 'reading' | 'uploading' | 'downloading' | 'validating' | 'planning' | 'applying'

export interface ProgressEvent {
  stage: Stage
  done: number
  /** 0 while unknown. */
  total: number
  unit: 'rows' | 'bytes'
}

export type OnProgress = (event: ProgressEvent) => void

/** What a stage's caller may give it: someone to tell how far it is, and a way to stop it. */
export interface Observed {
  onProgress?: OnProgress
  /** Aborted when the job is cancelled: the stage stops at its next progress point and throws the signal's reason. */
  signal?: AbortSignal
}

/**
 * A progress point, which is also where a cancelled job stops: one mechanism for both, so every
 * stage that reports progress can be cancelled at the same granularity (a batch of rows, a chunk
 * of bytes). Throws the signal's reason once it is aborted.
 */
export function checkpoint(o: Observed, e: ProgressEvent) {
  o.signal?.throwIfAborted()
  o.onProgress?.(e)
}

/**
 * Records when each stage was first and last heard of: the per-stage timings the benchmark and
 * the optional `cofre-stages` log line report (COFRE_STAGE_TIMINGS=1).
 */
export class StageClock {
  private readonly started = performance.now()
  private readonly spans = new Map<Stage, { first: number, last: number, done: number }>()

  readonly listen: OnProgress = (e) => {
    const now = performance.now()
    const span = this.spans.get(e.stage)
    if (span) {
      span.last = now
      span.done = e.done
    }
    else this.spans.set(e.stage, { first: now, last: now, done: e.done })
  }

  /** Milliseconds per stage (first to last event) and in all. */
  timings(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [stage, s] of this.spans) out[`${stage}Ms`] = Math.round(s.last - s.first)
    out.totalMs = Math.round(performance.now() - this.started)
    return out
  }
}

/** Calls every listener given (the stage's caller may pass none, one or several). */
export const fanOut = (...listeners: (OnProgress | undefined)[]): OnProgress => e => listeners.forEach(l => l?.(e))
