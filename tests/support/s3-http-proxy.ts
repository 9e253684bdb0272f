// An HTTP proxy in front of fauxqs's S3 that can hold back or refuse one kind of request: one that
// creates an object (the completion of a multipart upload, POST …?uploadId=; a PutObject, PUT
// without partNumber), the listing of uploads (GET …?uploads), or everything. Real requests to a
// real S3, answered late or not at all — no mocks.
import { createServer, request, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export type S3ProxyRule =
  | { kind: 'pass' }
  /**
   * A creating request reaches S3 `ms` late, whatever its client does meanwhile: its body is read
   * at once and sent on after the delay (a completion S3 takes its time over, or bytes in flight);
   * S3 makes the object all the same, even after the client gave up.
   */
  | { kind: 'hold-creation', ms: number }
  | { kind: 'refuse-list' }
  /** Nothing is answered: the client's own deadline ends every call. */
  | { kind: 'silent' }

export interface S3HttpProxy {
  url: string
  rule: S3ProxyRule
  /** Called once a creating request has arrived whole (before it is held). */
  onCreation?: () => void
  /** Creating requests S3 answered after being held (status codes, in order). */
  lateCreations: number[]
  /** Sends every creating request held so far on to S3 now, without waiting out its delay. */
  release: () => void
  close: () => Promise<void>
}

export async function startS3HttpProxy(s3Endpoint: string): Promise<S3HttpProxy> {
  const upstream = new URL(s3Endpoint)
  const forward = (method: string, path: string, headers: IncomingHttpHeaders, body: Buffer) => new Promise<{ status: number, headers: IncomingHttpHeaders, body: Buffer }>((resolve, reject) => {
    const up = request({ host: upstream.hostname, port: upstream.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', c => chunks.push(c)).on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) })).on('error', reject)
    })
    up.on('error', reject).end(body)
  })
  const held = new Map<NodeJS.Timeout, () => void>()
  const proxy: S3HttpProxy = {
    url: '',
    rule: { kind: 'pass' },
    lateCreations: [],
    release: () => {
      for (const [timer, send] of held) { clearTimeout(timer); held.delete(timer); send() }
    },
    close: async () => {},
  }
  const server = createServer((req, res) => {
    const rule = proxy.rule
    if (rule.kind === 'silent') return
    const url = req.url ?? ''
    const creation = (req.method === 'POST' && /[?&]uploadId=/.test(url)) || (req.method === 'PUT' && !/[?&]partNumber=/.test(url))
    const listing = req.method === 'GET' && /[?&]uploads(=|&|$)/.test(url)
    if (rule.kind === 'refuse-list' && listing) {
      res.writeHead(403, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>denied</Message></Error>')
      return
    }
    const chunks: Buffer[] = []
    req.on('data', c => chunks.push(c)).on('error', () => {}).on('end', () => {
      const hold = rule.kind === 'hold-creation' && creation
      if (hold) proxy.onCreation?.()
      const send = () => {
        forward(req.method!, url, req.headers, Buffer.concat(chunks)).then((up) => {
          if (hold) proxy.lateCreations.push(up.status)
          if (!res.destroyed) res.writeHead(up.status, up.headers).end(up.body)
        }, () => { if (!res.destroyed) res.writeHead(502).end() })
      }
      if (!hold) return send()
      const timer: NodeJS.Timeout = setTimeout(() => { held.delete(timer); send() }, rule.ms)
      held.set(timer, send)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  proxy.close = async () => {
    proxy.rule = { kind: 'pass' }
    for (const timer of held.keys()) clearTimeout(timer)
    held.clear()
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  }
  return proxy
}
