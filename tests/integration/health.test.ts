import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startStack, type Stack } from '../support/stack'

describe('GET /api/health', () => {
  it('answers 200 with database and storage status when both answer', async () => {
    const res = await fetch(`${inject('stack').baseURL}/api/health`)
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toMatchObject({ status: 'ok', failing: [], checks: { database: { status: 'ok' }, storage: { status: 'ok' } } })
  })

  describe('when fauxqs is stopped', () => {
    let stack: Stack
    beforeAll(async () => { stack = await startStack() })
    afterAll(async () => { await stack?.stop() })

    it('answers 503 naming storage as the failing dependency, then recovers', async () => {
      const before = await fetch(`${stack.app.baseURL}/api/health`)
      expect(before.status).toBe(200)
      await stack.aws.stop()
      const res = await fetch(`${stack.app.baseURL}/api/health`)
      expect(res.status).toBe(503)
      const body = await res.json()
      expect(body.status).toBe('error')
      expect(body.failing).toEqual(['storage'])
      expect(body.checks.database.status).toBe('ok')
      expect(body.checks.storage.status).toBe('error')
    })
  })

  it('answers 503 naming the database when MySQL is unreachable', async () => {
    const stack = await startStack({ NUXT_DATABASE_URL: 'mysql://root@127.0.0.1:1/cofre_unreachable' })
    try {
      const res = await fetch(`${stack.app.baseURL}/api/health`)
      expect(res.status).toBe(503)
      expect((await res.json()).failing).toEqual(['database'])
    }
    finally { await stack.stop() }
  })
})
