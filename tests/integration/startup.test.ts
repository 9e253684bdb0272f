import { describe, expect, inject, it } from 'vitest'
import { startApp } from '../support/stack'

describe('production start-up guard', () => {
  it('refuses to start with a weak JWT secret and a missing bucket, naming both', async () => {
    const env = { ...inject('stack').env, NUXT_JWT_SECRET: 'short', NUXT_S3_BUCKET: '' }
    const err = await startApp(env).then(() => null, (e: Error) => e)
    expect(err?.message).toMatch(/exited with 1/)
    expect(err?.message).toMatch(/NUXT_JWT_SECRET is too weak/)
    expect(err?.message).toMatch(/NUXT_S3_BUCKET is missing/)
  })
})
