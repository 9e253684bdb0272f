// A small TCP proxy to put between the app and fauxqs, so tests can make S3 slow, cut transfers
// mid-way or refuse connections — real network faults, not mocks.
import net from 'node:net'

export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'refuse' }
  /** Accept, then say nothing for `ms` (beyond the client's timeout). */
  | { kind: 'stall', ms: number }
  /** Forward normally, but cut both directions after `bytes` have gone upstream (mid-upload). */
  | { kind: 'cut-after', bytes: number }
  /**
   * Forward normally until `bytes` have passed (both directions, all connections), then go
   * silent: open connections stay open but nothing more passes either way, and new ones are
   * accepted and ignored (S3 hanging mid-upload or mid-download: parts, retries, the multipart
   * abort all stall). The chunk that reaches the limit is forwarded up to it.
   */
  | { kind: 'stall-after', bytes: number }

export interface TcpProxy {
  port: number
  url: string
  mode: ProxyMode
  /** Switches mode and drops open connections, so kept-alive sockets obey the new mode too. */
  setMode: (mode: ProxyMode) => void
  connections: number
  /** When the current stall/stall-after mode first held traffic back (Date.now()), if it has. */
  silentSince?: number
  close: () => Promise<void>
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>()
  let passedBytes = 0 // stall-after: bytes passed, both directions
  const proxy: TcpProxy = {
    port: 0,
    url: '',
    mode: { kind: 'pass' },
    connections: 0,
    setMode: (mode) => {
      proxy.mode = mode
      passedBytes = 0
      proxy.silentSince = undefined
      for (const s of sockets) s.destroy()
    },
    close: async () => {},
  }
  const server = net.createServer((client) => {
    proxy.connections++
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => {})
    const mode = proxy.mode
    if (mode.kind === 'refuse') { client.resetAndDestroy(); return }
    if (mode.kind === 'stall') { proxy.silentSince ??= Date.now(); setTimeout(() => client.destroy(), mode.ms).unref(); return }
    const silent = () => {
      if (mode.kind !== 'stall-after' || passedBytes < mode.bytes) return false
      proxy.silentSince ??= Date.now()
      return true
    }
    /** In stall-after mode, the part of `chunk` that may still pass (counted). */
    const allowed = (chunk: Buffer) => {
      if (mode.kind !== 'stall-after') return chunk
      if (silent()) return null
      const part = chunk.subarray(0, mode.bytes - passedBytes)
      passedBytes += part.length
      silent() // marks silentSince as soon as the limit is reached
      return part
    }
    if (silent()) return
    const upstream = net.connect(targetPort, targetHost)
    sockets.add(upstream)
    upstream.on('close', () => { sockets.delete(upstream); client.destroy() })
    upstream.on('error', () => client.destroy())
    client.on('close', () => upstream.destroy())
    let sent = 0
    client.on('data', (chunk: Buffer) => {
      if (mode.kind === 'cut-after') {
        sent += chunk.length
        if (sent > mode.bytes) { client.resetAndDestroy(); upstream.destroy(); return }
      }
      const part = allowed(chunk)
      if (part?.length) upstream.write(part)
    })
    upstream.on('data', (chunk: Buffer) => {
      const part = allowed(chunk)
      if (part?.length) client.write(part)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  proxy.port = (server.address() as net.AddressInfo).port
  proxy.url = `http://127.0.0.1:${proxy.port}`
  proxy.close = () => new Promise((resolve) => {
    for (const s of sockets) s.destroy()
    server.close(() => resolve())
  })
  return proxy
}
