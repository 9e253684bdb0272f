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
      // Anonymous callers learn which dependency fails, not the internal error text.
      expect(Object.keys(body.checks.storage).sort()).toEqual(['latencyMs', 'status'])
      expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect|Error/)
      // The operator finds the detail in the logs.
      await new Promise(r => setTimeout(r, 100))
      expect(stack.app.logs()).toMatch(/"check":"storage".*ECONNREFUSED|ECONNREFUSED.*"check":"storage"/)
    })
  })

  it('answers 503 naming the database when MySQL is unreachable', async () => {
    const stack = await startStack({ NUXT_DATABASE_URL: 'mysql://root@127.0.0.1:1/cofre_unreachable' })
    try {
      const res = await fetch(`${stack.app.baseURL}/api/health`)
      expect(res.status).toBe(503)
      const body = await res.json()
      expect(body.failing).toEqual(['database'])
      expect(Object.keys(body.checks.database).sort()).toEqual(['latencyMs', 'status'])
      expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect|Error/)
      await new Promise(r => setTimeout(r, 100))
      expect(stack.app.logs()).toMatch(/"check":"database".*ECONNREFUSED|ECONNREFUSED.*"check":"database"/)
    }
    finally { await stack.stop() }
  })
})
