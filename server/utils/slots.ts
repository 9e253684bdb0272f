/**
 * Admission control for scarce work in this process: at most `limit` holders at once, at most
 * `maxQueued` callers waiting (in arrival order), each for at most `waitMs`. A caller that cannot
 * be admitted gets `null` at once (queue full) or when its wait runs out, never an endless wait.
 */
export class Slots {
  private active = 0
  private readonly waiting: Array<{ grant: () => void }> = []

  constructor(private readonly limit: number, private readonly maxQueued: number, private readonly waitMs: number) {}

  get running() { return this.active }
  get queued() { return this.waiting.length }

  /** Resolves to a release function, or to null if no slot came in time. */
  acquire(): Promise<(() => void) | null> {
    if (this.active < this.limit) {
      this.active++
      return Promise.resolve(this.releaser())
    }
    if (this.waiting.length >= this.maxQueued || this.waitMs <= 0) return Promise.resolve(null)
    return new Promise((resolve) => {
      const entry = {
        grant: () => {
          clearTimeout(timer)
          resolve(this.releaser())
        },
      }
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(entry)
        if (i >= 0) this.waiting.splice(i, 1)
        resolve(null)
      }, this.waitMs)
      this.waiting.push(entry)
    })
  }

  private releaser() {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiting.shift()
      // The slot passes straight to the next caller: `active` stays the same.
      if (next) next.grant()
      else this.active--
    }
  }
}
