// SSR pages as the bench measures them: what a page ships (HTML, and the JS and CSS its HTML
// loads) and the server's CPU time per rendered page.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

/** The SSR pages the bench measures, each rendered for the signed-in bench user. */
export const SSR_PAGES = ['/', '/transactions', '/backups']

const attr = (tag, name) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] ?? null

/**
 * Bytes a first visit to `path` downloads: the HTML, plus every script and stylesheet that HTML
 * names (entry, `modulepreload` and `stylesheet` links), raw and gzip -6 (what a compressing proxy
 * sends). Chunks imported later (a dialog opened, another page) are not counted.
 */
export async function pageWeight(baseURL, path, headers = {}) {
  const res = await fetch(baseURL + path, { headers, redirect: 'manual' })
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}`)
  const html = Buffer.from(await res.arrayBuffer())
  const text = html.toString('utf8')
  const js = new Set()
  const css = new Set()
  for (const tag of text.match(/<(script|link)\b[^>]*>/g) ?? []) {
    if (tag.startsWith('<script')) { const src = attr(tag, 'src'); if (src) js.add(src) }
    else {
      const rel = attr(tag, 'rel')
      const href = attr(tag, 'href')
      if (!href) continue
      if (rel === 'modulepreload' || (rel === 'preload' && attr(tag, 'as') === 'script')) js.add(href)
      else if (rel === 'stylesheet') css.add(href)
    }
  }
  const sizes = async (urls) => {
    let raw = 0
    let gzip = 0
    for (const u of urls) {
      const r = await fetch(new URL(u, baseURL))
      if (r.status !== 200) throw new Error(`GET ${u} (named by ${path}): HTTP ${r.status}`)
      const body = Buffer.from(await r.arrayBuffer())
      raw += body.length
      gzip += gzipSync(body).length
    }
    return { files: urls.size, raw, gzip }
  }
  return {
    path,
    html: { raw: html.length, gzip: gzipSync(html).length },
    js: await sizes(js),
    css: await sizes(css),
  }
}

/** User + system CPU time of a process so far, in ms (all its threads: GC, libuv pool, …). */
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
  // After "(comm) ": state is field 3, utime field 14, stime field 15 (1-based over the whole line).
  return (Number(fields[11]) + Number(fields[12])) * (1000 / 100) // USER_HZ is 100 on Linux
}

/**
 * Server CPU per page: `count` requests one after another (no concurrency, so nothing else is
 * measured with them), CPU time of the server process over them divided by `count`. The
 * kernel counts CPU in 10 ms ticks, so `count` should be in the hundreds.
 */
export async function cpuPerPage({ baseURL, pid, path, headers = {}, count = 200 }) {
  for (let i = 0; i < 10; i++) await (await fetch(baseURL + path, { headers })).arrayBuffer() // warm-up
  const before = cpuMs(pid)
  const t = performance.now()
  for (let i = 0; i < count; i++) {
    const r = await fetch(baseURL + path, { headers, redirect: 'manual' })
    await r.arrayBuffer()
    if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status}`)
  }
  return { path, count, cpuMsPerPage: (cpuMs(pid) - before) / count, wallMsPerPage: (performance.now() - t) / count }
}
