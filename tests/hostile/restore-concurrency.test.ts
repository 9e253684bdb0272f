// Restores under concurrent writes, with the default configuration:
//  - every write answered 2xx while restores run is afterwards in the live data or in a safety
//    backup (none is acknowledged and then lost); writes refused meanwhile say 409
//    RESTORE_IN_PROGRESS, never 5xx;
//  - another user's writes during a large restore are never refused and stay within a few times
//    their idle latency (the restore locks only its user's rows, no index gaps).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { http, newUser, type ApiResponse, type TestUser } from '../support/api'
import { connect, seedLedger, transactionsInBackup as inBackup } from '../support/data'
import { startStack, type Stack } from '../support/stack'

// The large account: 300k transactions at full size (npm run test:hostile), 60k in npm test.
const LARGE_ROWS = Number(process.env.COFRE_HOSTILE_LARGE_ROWS ?? 60_000)
let stack: Stack
const base = () => stack.app.baseURL

beforeAll(async () => { stack = await startStack() })
afterAll(async () => { await stack?.stop() })

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!
/**
 * A job's outcome: the 201/200 answer's body, or — when the job outlived the request's 10 s wait
 * (a large account on a loaded machine) and it answered 202 — its row followed until it ended.
 */
async function outcome(res: ApiResponse, token: string): Promise<{ ok: boolean, body: any }> {
  if (res.status !== 202) return { ok: res.status === 200 || res.status === 201, body: res.body }
  for (;;) {
    const job = (await http(base(), 'GET', res.headers.get('location')!, { token })).body
    if (job.status !== 'queued' && job.status !== 'running') return { ok: job.status === 'completed', body: job }
    await new Promise(r => setTimeout(r, 200))
  }
}

/** Posts transactions one after another until stopped; records every answer. */
function writer(u: TestUser, accountId: number, tag: string) {
  const answers: { status: number, code?: string, id?: number, description: string, ms: number }[] = []
  let running = true
  const done = (async () => {
    for (let i = 0; running; i++) {
      const description = `${tag} write ${i}`
      const t0 = performance.now()
      const r = await http(base(), 'POST', '/api/transactions', { token: u.accessToken, body: { accountId, amount: '-1.00', date: '2026-11-30', description } })
      answers.push({ status: r.status, code: r.body?.data?.code, id: r.body?.id, description, ms: performance.now() - t0 })
    }
  })()
  return { answers, stop: async () => { running = false; await done } }
}

describe('hostile: restores and concurrent writes', () => {
  it('every write answered 2xx during restores is afterwards in the live data or in the safety backup', async () => {
    const u = await newUser(base(), 'ackd')
    const conn = await connect(stack.databaseUrl)
    const { accountIds } = await seedLedger(conn, u.id, LARGE_ROWS)
    const first = await outcome(await http(base(), 'POST', '/api/backup', { token: u.accessToken }), u.accessToken)
    expect(first.ok).toBe(true)

    // Two writers run through three restores of the large account.
    const writers = [writer(u, accountIds[0]!, 'a'), writer(u, accountIds[0]!, 'b')]
    const safetyIds: string[] = []
    for (let i = 0; i < 3; i++) {
      await new Promise(r => setTimeout(r, 300))
      const res = await outcome(await http(base(), 'POST', '/api/restore', { token: u.accessToken, body: { backup_id: first.body.backup_id } }), u.accessToken)
      expect(res.ok).toBe(true)
      safetyIds.push(res.body.safety_backup_id)
    }
    await new Promise(r => setTimeout(r, 300))
    for (const w of writers) await w.stop()

    const answers = writers.flatMap(w => w.answers)
    const acknowledged = answers.filter(a => a.status === 201)
    const refused = answers.filter(a => a.status !== 201)

    const [live] = await conn.query<any[]>('SELECT id, description FROM transactions WHERE user_id = ?', [u.id])
    const liveById = new Map(live.map(r => [Number(r.id), r.description as string]))
    const inSafety = await Promise.all(safetyIds.map(id => inBackup(base(), u.accessToken, id)))
    const lost = acknowledged.filter(a => liveById.get(a.id!) !== a.description && !inSafety.some(s => s.get(a.id!) === a.description))
    console.log(`writes during ${safetyIds.length} restores of ${LARGE_ROWS} rows: ${answers.length} sent, ${acknowledged.length} acknowledged, ${refused.length} refused with 409, ${lost.length} lost`)
    expect(lost).toEqual([])
    // Nothing but the clear refusal while a restore holds the data.
    for (const r of refused) expect([r.status, r.code]).toEqual([409, 'RESTORE_IN_PROGRESS'])
    expect(acknowledged.length).toBeGreaterThan(5)
    expect(refused.length).toBeGreaterThan(0)
    await conn.end()
  })

  it('another user\'s writes during a large restore are never refused and stay within a few times their idle latency', async () => {
    // Registered just before `big`: its newest rows land at the end of its range in the owner
    // indexes, in the gap right before big's first entry, which a REPEATABLE READ locking read of
    // big's range also locks.
    const other = await newUser(base(), 'neighbour')
    const big = await newUser(base(), 'big')
    const conn = await connect(stack.databaseUrl)
    await seedLedger(conn, big.id, LARGE_ROWS)
    const { accountIds } = await seedLedger(conn, other.id, 10)
    const b = await outcome(await http(base(), 'POST', '/api/backup', { token: big.accessToken }), big.accessToken)
    expect(b.ok).toBe(true)
    // Every row differs from the backup: the restore deletes and re-inserts all of them.
    await conn.query('UPDATE transactions SET amount = amount + 1 WHERE user_id = ?', [big.id])

    const idle = writer(other, accountIds[0]!, 'idle')
    await new Promise(r => setTimeout(r, 1500))
    await idle.stop()
    const during = writer(other, accountIds[0]!, 'during')
    const t0 = performance.now()
    const res = await outcome(await http(base(), 'POST', '/api/restore', { token: big.accessToken, body: { backup_id: b.body.backup_id } }), big.accessToken)
    const restoreMs = performance.now() - t0
    await during.stop()
    expect(res.ok).toBe(true)
    expect(res.body.restored.transactions).toBe(LARGE_ROWS)

    for (const a of [...idle.answers, ...during.answers]) expect(a.status).toBe(201)
    const idleMs = idle.answers.map(a => a.ms)
    const duringMs = during.answers.map(a => a.ms)
    const idleP95 = percentile(idleMs, 0.95)
    const duringP95 = percentile(duringMs, 0.95)
    console.log(`other user's inserts: idle p50 ${percentile(idleMs, 0.5).toFixed(1)} ms p95 ${idleP95.toFixed(1)} ms (${idleMs.length}); during a ${LARGE_ROWS}-row restore (${(restoreMs / 1000).toFixed(1)} s): p50 ${percentile(duringMs, 0.5).toFixed(1)} ms p95 ${duringP95.toFixed(1)} ms max ${Math.max(...duringMs).toFixed(0)} ms (${duringMs.length})`)
    expect(duringMs.length).toBeGreaterThan(5)
    // "A few times": the restore shares the machine's two cores (and the server's event loop)
    // with these requests, so some slowdown is expected; a lock wait shows as seconds (before the
    // fix: p95 1.5 s, then 500s) instead.
    expect(percentile(duringMs, 0.5)).toBeLessThan(3 * percentile(idleMs, 0.5) + 5)
    expect(duringP95).toBeLessThan(Math.max(5 * idleP95, 150))
    expect(Math.max(...duringMs)).toBeLessThan(1000)
    await conn.end()
  })
})
