/**
 * Reads `read()` until `done` holds or `timeoutMs` passes, every `intervalMs`; returns the last
 * value read (the caller's assertion says what was expected of it).
 */
export async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await read()
    if (done(v) || Date.now() > deadline) return v
    await new Promise(r => setTimeout(r, intervalMs))
  }
}
