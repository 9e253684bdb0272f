/**
 * Access tokens whose signature and claims were verified, by their exact text, until they expire:
 * every SSR page verifies the same token two or three times (the session, then each API call it
 * makes) and the next page again, and an HMAC verification through WebCrypto costs ≈ 0.4 ms of
 * CPU each time (issue 16). Only the token that was verified — every byte of it, signature
 * included — finds its entry, so a token differing anywhere is verified from scratch; an entry
 * is never used past the token's own `exp`. Bounded: the oldest entry goes first.
 */
export class VerifiedTokens<T> {
  private readonly entries = new Map<string, { value: T, expiresAtMs: number }>()
  constructor(private readonly max = 10_000) {}

  /** The verified claims, `'expired'` once past the token's exp, or undefined when unknown. */
  get(token: string, nowMs = Date.now()): T | 'expired' | undefined {
    const hit = this.entries.get(token)
    if (!hit) return undefined
    if (nowMs < hit.expiresAtMs) return hit.value
    this.entries.delete(token)
    return 'expired'
  }

  set(token: string, value: T, expiresAtMs: number): void {
    if (this.entries.size >= this.max && !this.entries.has(token)) this.entries.delete(this.entries.keys().next().value!)
    this.entries.set(token, { value, expiresAtMs })
  }

  get size(): number { return this.entries.size }
}
