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

export interface TcpProxy {
  port: number
  url: string
  mode: ProxyMode
  /** Switches mode and drops open connections, so kept-alive sockets obey the new mode too. */
  setMode: (mode: ProxyMode) => void
  connections: number
  close: () => Promise<void>
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>()
  const proxy: TcpProxy = {
    port: 0,
    url: '',
    mode: { kind: 'pass' },
    connections: 0,
    setMode: (mode) => {
      proxy.mode = mode
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
    if (mode.kind === 'stall') { setTimeout(() => client.destroy(), mode.ms).unref(); return }
    const upstream = net.connect(targetPort, targetHost)
    sockets.add(upstream)
    upstream.on('close', () => { sockets.delete(upstream); client.destroy() })
    upstream.on('error', () => client.destroy())
    client.on('close', () => upstream.destroy())
    let sent = 0
    client.on('data', (chunk) => {
      if (mode.kind === 'cut-after') {
        sent += chunk.length
        if (sent > mode.bytes) { client.resetAndDestroy(); upstream.destroy(); return }
      }
      upstream.write(chunk)
    })
    upstream.on('data', chunk => client.write(chunk))
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
