// Turns the raw measurements into target verdicts and a markdown report.
import { toMB } from './rss.mjs'

export const median = (xs) => {
  const s = xs.filter(x => Number.isFinite(x)).sort((a, b) => a - b)
  if (!s.length) return Number.NaN
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const max = xs => Math.max(...xs)
const sec = x => `${x.toFixed(2)} s`
const mb = x => `${toMB(x)} MB`
const ms = x => `${x.toFixed(1)} ms`
const fmtRows = n => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n))

/**
 * Memory: "bounded, not linear" allows this much more growth at the largest point than at the
 * smallest — GC timing alone moves the peak by a few tens of MB; linear growth would be ~10x.
 */
export const BOUNDED_SLACK_BYTES = 25 * 1024 * 1024

/**
 * SSR pages/s of main before issue 16's SSR work (commit 8e39e47, `bench/ssr.mjs --load-seconds 10`
 * on the development machine, 50 connections, signed in; /backups measured 30 then): the "today" of
 * the 5x targets when the bench is not given a baseline build to load in the same run
 * (`--baseline-build`, which is the better measure on a shared machine).
 */
export const SSR_BEFORE = { '/': 62, '/transactions': 12.9 }

/** @returns {{ targets: any[], lines: string[] }} */
export function evaluate(results) {
  const targets = []
  const add = (name, measured, limit, pass, detail) => targets.push({ name, measured, limit, pass, detail })
  const points = Object.values(results.points)
  const big = points.at(-1)
  const small = points.length > 1 ? points[0] : null
  if (big) {
    const n = fmtRows(big.rows)
    // Issue 16's targets. Without the reference (--skip-reference) there is no ratio to judge: say so, not "NaNx MISS".
    const ratio = (name, x, limit) => { if (Number.isFinite(x)) add(name, `${x.toFixed(2)}x`, `≤ ${limit}x`, x <= limit) }
    ratio(`backup ${n} rows vs mariadb-dump | gzip -1`, big.backup.ratio, 1.0)
    ratio(`restore ${n} rows, data unchanged (validation + replace, no safety backup) vs DELETE + mariadb import`, big.restore.ratio, 0.25)
    ratio(`restore ${n} rows, every row different (no safety backup) vs DELETE + mariadb import`, big.worstRestore?.ratio, 0.8)
    ratio(`restore ${n} rows, 1% of rows different, total with the safety backup vs DELETE + mariadb import`, big.partialRestore?.ratio, 0.35)
  }
  for (const p of points) {
    const n = fmtRows(p.rows)
    add(`backup ${n} rows: server RSS growth (max of runs)`, mb(p.backup.rssGrowthMax), '≤ 150 MB', p.backup.rssGrowthMax <= 150 * 1024 * 1024)
    add(`restore ${n} rows: server RSS growth (max of runs)`, mb(p.restore.rssGrowthMax), '≤ 150 MB', p.restore.rssGrowthMax <= 150 * 1024 * 1024)
  }
  if (small && big) {
    for (const k of ['backup', 'restore']) {
      add(`${k} RSS growth bounded: ${fmtRows(big.rows)} vs ${fmtRows(small.rows)} rows`, `${mb(big[k].rssGrowthMax)} vs ${mb(small[k].rssGrowthMax)}`, `≤ ${fmtRows(small.rows)} + ${toMB(BOUNDED_SLACK_BYTES)} MB`,
        big[k].rssGrowthMax <= small[k].rssGrowthMax + BOUNDED_SLACK_BYTES)
    }
  }
  if (results.load) {
    const l = results.load
    if (l.api) add(`GET /api/backups p95 at ${l.api.connections} connections`, ms(l.api.p95), '≤ 50 ms', l.api.p95 <= 50)
    if (l.ssr) {
      add(`SSR GET /backups pages/s at ${l.ssr.connections} connections`, l.ssr.rps.toFixed(0), '≥ 180', l.ssr.rps >= 180)
      add(`SSR GET /backups p95 at ${l.ssr.connections} connections`, ms(l.ssr.p95), '≤ 250 ms', l.ssr.p95 <= 250)
    }
    for (const path of ['/', '/transactions']) {
      const page = l.pages?.[path]
      if (!page) continue
      // Issue 16: ≥ 5x today's. "Today" is a baseline build loaded in the same run when the bench
      // was given one (--baseline-build), else main's figure recorded before the SSR work.
      const measured = page.baseline?.load.rps
      const before = measured ?? SSR_BEFORE[path]
      const x = page.ours.load.rps / before
      add(`SSR GET ${path} pages/s at ${page.ours.load.connections} connections vs ${measured ? 'the baseline build, same run' : `main before issue 16 (${before} pages/s)`}`, `${page.ours.load.rps.toFixed(0)} (${x.toFixed(1)}x)`, '≥ 5x', x >= 5)
    }
  }
  if (results.jobs?.overhead) {
    const o = results.jobs.overhead
    add(`queue overhead, small backup (1k rows): p50 request → completed, queued − direct (${o.runs} each)`, ms(o.addedMs), '≤ 50 ms', o.addedMs <= 50)
  }
  if (results.jobs?.throughput) {
    const t = results.jobs.throughput
    add(`backup jobs per minute, ${t.one.jobs} users: 2 workers / 1 worker (reported)`, `${t.two.perMinute.toFixed(0)} / ${t.one.perMinute.toFixed(0)} = ${t.ratio.toFixed(2)}x`, 'reported', true)
  }
  return targets
}

export function summarizePoint(p) {
  const b = p.backup.runs
  const rb = p.reference.backup
  const r = p.restore.runs
  const rr = p.reference.restore
  const backupS = median(b.map(x => x.seconds))
  const refBackupS = median(rb.map(x => x.seconds))
  const restoreS = median(r.map(x => x.seconds))
  const restoreNoSafetyS = median(r.map(x => x.seconds - x.safetySeconds))
  const refRestoreS = median(rr.map(x => x.seconds))
  return {
    rows: p.rows,
    backup: {
      seconds: backupS, sizeBytes: median(b.map(x => x.sizeBytes)), ratio: backupS / refBackupS,
      rssGrowthMax: max(b.map(x => x.rss.growth)), rssGrowthMedian: median(b.map(x => x.rss.growth)),
    },
    reference: {
      backupSeconds: refBackupS, backupSizeBytes: median(rb.map(x => x.sizeBytes)),
      restoreSeconds: refRestoreS, deleteSeconds: median(rr.map(x => x.deleteSeconds)), importSeconds: median(rr.map(x => x.importSeconds)),
    },
    restore: {
      seconds: restoreS, secondsWithoutSafety: restoreNoSafetyS, safetySeconds: median(r.map(x => x.safetySeconds)),
      ratio: restoreNoSafetyS / refRestoreS,
      rssGrowthMax: max(r.map(x => x.rss.growth)), rssGrowthMedian: median(r.map(x => x.rss.growth)),
    },
    worstRestore: p.worstRestore
      ? { seconds: p.worstRestore.seconds, secondsWithoutSafety: p.worstRestore.seconds - p.worstRestore.safetySeconds, ratio: (p.worstRestore.seconds - p.worstRestore.safetySeconds) / refRestoreS, rssGrowth: p.worstRestore.rss.growth, stages: p.worstRestore.stages }
      : null,
    partialRestore: p.partialRestore?.runs.length
      ? ((runs) => {
        const seconds = median(runs.map(x => x.seconds))
        return { seconds, safetySeconds: median(runs.map(x => x.safetySeconds)), ratio: seconds / refRestoreS, rssGrowthMax: max(runs.map(x => x.rss.growth)), stages: runs.map(x => x.stages).filter(Boolean).at(-1) ?? null }
      })(p.partialRestore.runs)
      : null,
    stages: r.map(x => x.stages).filter(Boolean).at(-1) ?? null,
    backupStages: b.map(x => x.stages).filter(Boolean).at(-1) ?? null,
    runs: b.length,
  }
}

export function markdown(results) {
  const out = []
  const m = results.machine
  out.push(`# Cofre benchmark — ${results.date}${results.mode === 'smoke' ? ' (smoke)' : results.mode === 'load-only' ? ' (load tests only)' : ''}`, '')
  out.push(`${m.cpus}× ${m.cpuModel}, ${Math.round(m.memoryBytes / 2 ** 30)} GB RAM · Node ${m.node} · ${m.database.version} (InnoDB buffer pool ${toMB(m.database.innodbBufferPoolBytes)} MB, local_infile ${m.database.localInfile ? 'ON' : 'OFF'}) · commit ${results.git.commit}${results.git.dirty ? ' (+ uncommitted changes)' : ''}`, '')
  if (results.mode === 'load-only') out.push('Data: the load tests\' user alone (1,000 transactions, 5 backups); no backups or restores measured.', '')
  else out.push(`Data: ${Object.values(results.points).map(p => `one user with ${p.rows.toLocaleString('en')} transactions`).join(', ')}, next to ${results.seed.others.users} other users with ${results.seed.others.transactions.toLocaleString('en')} each (${results.seed.totalTransactions.toLocaleString('en')} transactions in the table). Median of ${results.runs} run(s) each; ours through the production server over HTTP with fauxqs as S3.`, '')
  if (Object.keys(results.summary).length) out.push('| rows | measurement | ours | reference | ours / reference |', '|---:|---|---:|---:|---:|')
  for (const p of Object.values(results.summary)) {
    const n = p.rows.toLocaleString('en')
    out.push(`| ${n} | backup (POST /api/backup) vs \`mariadb-dump \\| gzip -1\` | ${sec(p.backup.seconds)} · ${mb(p.backup.sizeBytes)} | ${sec(p.reference.backupSeconds)} · ${mb(p.reference.backupSizeBytes)} | ${p.backup.ratio.toFixed(2)}x |`)
    out.push(`| ${n} | restore without safety backup vs DELETE + \`mariadb < dump\` | ${sec(p.restore.secondsWithoutSafety)} | ${sec(p.reference.restoreSeconds)} (delete ${sec(p.reference.deleteSeconds)} + import ${sec(p.reference.importSeconds)}) | ${p.restore.ratio.toFixed(2)}x |`)
    out.push(`| ${n} | restore total (POST /api/restore) / of which safety backup | ${sec(p.restore.seconds)} / ${sec(p.restore.safetySeconds)} | | |`)
    if (p.partialRestore) out.push(`| ${n} | restore total with safety backup, 1% of rows different (POST /api/restore) / of which safety backup | ${sec(p.partialRestore.seconds)} / ${sec(p.partialRestore.safetySeconds)} | ${sec(p.reference.restoreSeconds)} | ${p.partialRestore.ratio.toFixed(2)}x |`)
    if (p.worstRestore) out.push(`| ${n} | restore over entirely different data (every row deleted and inserted; 1 run) | ${sec(p.worstRestore.secondsWithoutSafety)} | ${sec(p.reference.restoreSeconds)} | ${p.worstRestore.ratio.toFixed(2)}x |`)
    out.push(`| ${n} | server RSS growth, backup / restore (max of runs) | ${mb(p.backup.rssGrowthMax)} / ${mb(p.restore.rssGrowthMax)}${p.worstRestore ? ` (different data: ${mb(p.worstRestore.rssGrowth)})` : ''} | | |`)
  }
  const backupStaged = Object.values(results.summary).filter(p => p.backupStages)
  if (backupStaged.length) {
    out.push('', 'Backup inside the server (ms, last run): rows read + serialized + hashed (gzip and upload run alongside), then the upload\'s tail:', '', '| rows | export | total in engine | request | uncompressed |', '|---:|---:|---:|---:|---:|')
    for (const p of backupStaged) out.push(`| ${p.rows.toLocaleString('en')} | ${p.backupStages.exportMs} | ${p.backupStages.totalMs} | ${Math.round(p.backup.seconds * 1000)} (median) | ${mb(p.backupStages.uncompressedBytes)} |`)
  }
  const staged = Object.values(results.summary).filter(p => p.stages)
  if (staged.length) {
    out.push('', 'Restore stages (ms, last run; from the engine\'s progress events with COFRE_STAGE_TIMINGS=1):', '', '| rows | data | download | validate + spool | safety backup | apply (one transaction) | unchanged / deleted / inserted / updated rows |', '|---:|---|---:|---:|---:|---:|---|')
    for (const p of staged) {
      for (const [label, st] of [['equal to the backup', p.stages], ['1% different', p.partialRestore?.stages], ['entirely different', p.worstRestore?.stages]]) {
        if (st) out.push(`| ${p.rows.toLocaleString('en')} | ${label} | ${st.downloadingMs} | ${st.validatingMs} | ${st.safetyBackupMs} | ${st.applyingMs} | ${st.unchanged.toLocaleString('en')} / ${st.deleted.toLocaleString('en')} / ${st.inserted.toLocaleString('en')} / ${(st.updated ?? 0).toLocaleString('en')} |`)
      }
    }
  }
  if (results.load) {
    out.push('', '| endpoint | connections × seconds | requests/s | p50 | p95 | p99 | max | non-2xx / errors |', '|---|---:|---:|---:|---:|---:|---:|---:|')
    for (const [name, l] of [['GET /api/backups', results.load.api], ['SSR GET /backups', results.load.ssr]]) {
      if (l) out.push(`| ${name} | ${l.connections} × ${l.durationSeconds} | ${l.rps.toFixed(0)} | ${ms(l.p50)} | ${ms(l.p95)} | ${ms(l.p99)} | ${ms(l.max)} | ${l.non2xx} / ${l.errors + l.timeouts} |`)
    }
    const pages = Object.entries(results.load.pages ?? {})
    if (pages.length) {
      out.push('', `SSR pages, signed in (the bench's API user: 1,000 transactions, 5 backups). Server CPU per page: the median of ${pages[0][1].ours.cpuRoundsMs?.length ?? 1} round(s) of 100 requests one at a time (with a baseline build, its rounds alternate with ours). Bytes: the HTML, and the JS and CSS files it names (entry, modulepreload, stylesheets), raw / gzip.`, '', '| page | build | pages/s | p50 | p95 | CPU per page | HTML | JS | CSS |', '|---|---|---:|---:|---:|---:|---:|---:|---:|')
      const kb = b => `${(b / 1024).toFixed(1)} kB`
      for (const [path, page] of pages) {
        for (const [build, x] of Object.entries(page)) {
          out.push(`| ${path} | ${build} | ${x.load.rps.toFixed(0)} | ${ms(x.load.p50)} | ${ms(x.load.p95)} | ${ms(x.cpuMsPerPage)} | ${kb(x.weight.html.raw)} / ${kb(x.weight.html.gzip)} | ${kb(x.weight.js.raw)} / ${kb(x.weight.js.gzip)} (${x.weight.js.files} files) | ${kb(x.weight.css.raw)} / ${kb(x.weight.css.gzip)} |`)
        }
      }
    }
    if (results.load.rssAfter) out.push('', `Server RSS right after the load tests: ${mb(results.load.rssAfter)}; backups and restores are measured on a fresh server.`)
  }
  if (results.jobs) {
    const { overhead: o, throughput: t } = results.jobs
    out.push('', '| jobs (issue 14) | measured |', '|---|---:|')
    if (o) out.push(`| small backup (1k rows), POST → 201: queued through SQS, p50 / p95 | ${ms(o.queuedP50)} / ${ms(o.queuedP95)} |`, `| same, run in the receiving process (no queue), p50 / p95 | ${ms(o.directP50)} / ${ms(o.directP95)} |`)
    if (t) for (const [k, v] of [['1 worker', t.one], ['2 workers', t.two]]) out.push(`| ${v.jobs} backup jobs at once (one per user), ${k}: all completed in | ${sec(v.seconds)} (${v.perMinute.toFixed(0)} jobs/min) |`)
  }
  out.push('', '| target | measured | limit | result |', '|---|---:|---:|:---:|')
  const cell = x => String(x).replace(/\|/g, '\\|')
  for (const t of results.targets) out.push(`| ${cell(t.name)} | ${t.measured} | ${t.limit} | ${t.pass ? 'PASS' : 'MISS'} |`)
  if (results.idleRss) out.push('', `Idle RSS of the server that runs the backups and restores, after warm-up: ${mb(results.idleRss)}; RSS growth = peak (sampled every 20 ms, and the kernel's VmHWM reset before each request) − max(idle right before, idle after warm-up). Safety backup time = completed_at − created_at of the pre-restore backup row. Total bench time ${Math.round(results.durationSeconds)} s.`)
  if (results.retries?.length) out.push('', `Re-run after a query of the bench was killed from outside (other test suites on the same MariaDB): ${results.retries.map(r => r.label).join('; ')}.`)
  if (results.broken.length) out.push('', '**BROKEN:**', ...results.broken.map(b => `- ${b}`))
  return out.join('\n') + '\n'
}
