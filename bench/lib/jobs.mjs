// Issue 14's benchmark rows: what the queue costs a small backup (request → completed, through
// SQS vs run in the receiving process, alternating, same minutes), and how many backup jobs per
// minute one and two worker processes get through for many users at once.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import mysql from 'mysql2/promise'
import { api, login, startServer } from './stack.mjs'
import { median } from './report.mjs'

const ASYNC = { Prefer: 'respond-async' }
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}

/**
 * p50 of POST /api/backup (the seed's contract: it answers 201 once the backup is complete) for a
 * 1,000-row user, on a server that queues its jobs through SQS and on one without a queue
 * (NUXT_QUEUE_URL unset: the job runs in the receiving process, today's direct path). Both servers
 * share the database and fauxqs; requests alternate between them.
 */
export async function queueOverhead({ entry, databaseUrl, aws, logDir, email, password, runs }) {
  const queued = await startServer({ entry, databaseUrl, aws, logFile: join(logDir, 'server-queued.log') })
  const direct = await startServer({ entry, databaseUrl, aws, logFile: join(logDir, 'server-direct.log'), env: { NUXT_QUEUE_URL: '' } })
  const times = { queued: [], direct: [] }
  try {
    const tokens = { queued: await login(queued.baseURL, email, password), direct: await login(direct.baseURL, email, password) }
    const one = async (which) => {
      const server = which === 'queued' ? queued : direct
      const t0 = performance.now()
      const res = await api(server.baseURL, 'POST', '/api/backup', { token: tokens[which] })
      const ms = performance.now() - t0
      if (res.status !== 201) throw new Error(`${which} backup: HTTP ${res.status} ${JSON.stringify(res.body)}`)
      // Keep the user under the stored-backups quota (untimed).
      await api(server.baseURL, 'DELETE', `/api/backups/${res.body.backup_id}`, { token: tokens[which] })
      return ms
    }
    for (let i = 0; i < 3; i++) { await one('queued'); await one('direct') } // warm-up
    for (let i = 0; i < runs; i++) {
      times.queued.push(await one('queued'))
      times.direct.push(await one('direct'))
    }
  }
  finally {
    await queued.stop()
    await direct.stop()
  }
  const q = median(times.queued)
  const d = median(times.direct)
  return { runs, queuedP50: q, directP50: d, addedMs: q - d, queuedP95: percentile(times.queued, 95), directP95: percentile(times.direct, 95) }
}

/**
 * Backup jobs per minute: one web process enqueues a backup for each user (answered 202 at once),
 * then the time until every job's row is completed, with 1 and then 2 worker processes.
 */
export async function jobsPerMinute({ entry, databaseUrl, aws, logDir, emails, password }) {
  const out = {}
  for (const workers of [1, 2]) {
    const web = await startServer({ entry, databaseUrl, aws, logFile: join(logDir, `server-web-${workers}.log`), env: { NUXT_ROLE: 'web' } })
    const procs = []
    try {
      for (let i = 0; i < workers; i++) {
        const logFile = join(logDir, `server-worker-${workers}-${i}.log`)
        procs.push({ ...(await startServer({ entry, databaseUrl, aws, logFile, env: { NUXT_ROLE: 'worker' } })), logFile })
      }
      const tokens = []
      for (const email of emails) tokens.push(await login(web.baseURL, email, password))
      const conn = await mysql.createConnection({ uri: databaseUrl })
      try {
        const t0 = performance.now()
        const ids = []
        for (const token of tokens) {
          const res = await api(web.baseURL, 'POST', '/api/backup', { token, headers: ASYNC })
          if (res.status !== 202 && res.status !== 201) throw new Error(`enqueue: HTTP ${res.status} ${JSON.stringify(res.body)}`)
          ids.push(res.body.backup_id)
        }
        for (;;) {
          const [[row]] = await conn.query('SELECT SUM(status = \'completed\') AS done, SUM(status IN (\'queued\', \'running\')) AS open FROM backups WHERE id IN (?)', [ids])
          if (Number(row.open) === 0) {
            if (Number(row.done) !== ids.length) {
              const [failed] = await conn.query('SELECT id, error_code AS code FROM backups WHERE id IN (?) AND status <> \'completed\'', [ids])
              // The workers' logs say why: a query KILLed by another suite on the same MariaDB (the
              // bench's known neighbour, see measured()) is retried; anything else is BROKEN.
              const logs = (await Promise.all(procs.map(p => readFile(p.logFile, 'utf8').catch(() => '')))).join('\n')
              const killed = failed.every(f => logs.split('\n').some(l => l.includes(f.id) && /"errno":(1317|2013|1927)\b|ER_QUERY_INTERRUPTED|PROTOCOL_CONNECTION_LOST/.test(l)))
              throw new Error(`${failed.length} of ${ids.length} backup jobs did not complete: ${failed.map(f => f.code).join(', ')}${killed ? ' — Query execution was interrupted from outside (1317/2013 in the worker log)' : ''}`)
            }
            break
          }
          await new Promise(r => setTimeout(r, 100))
        }
        const seconds = (performance.now() - t0) / 1000
        out[workers] = { jobs: ids.length, seconds, perMinute: (ids.length / seconds) * 60 }
        // Keep the users under the stored-backups quota for later runs (untimed).
        for (const [i, id] of ids.entries()) await api(web.baseURL, 'DELETE', `/api/backups/${id}`, { token: tokens[i] })
      }
      finally { await conn.end() }
    }
    finally {
      for (const p of procs) await p.stop()
      await web.stop()
    }
  }
  return { one: out[1], two: out[2], ratio: out[2].perMinute / out[1].perMinute }
}
