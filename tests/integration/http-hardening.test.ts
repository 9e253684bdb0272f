import { request } from 'node:http'
import { describe, expect, inject, it } from 'vitest'
import { http, newUser } from '../support/api'

const base = () => inject('stack').baseURL

describe('security headers', () => {
  it('pages carry a nonce-based CSP and the hardening headers', async () => {
    const res = await fetch(`${base()}/`)
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/)
    expect(csp).toContain("object-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    const html = await res.text()
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]
    // Every inline script the server renders carries this response's nonce.
    const scripts = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map(m => m[1])
    expect(scripts.length).toBeGreaterThan(0)
    for (const attrs of scripts) expect(attrs).toContain(`nonce="${nonce}"`)
  })
})

describe('bad HTTP input', () => {
  it('refuses bodies over the limit with 413 PAYLOAD_TOO_LARGE, declared or chunked', async () => {
    const big = JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(200_000) })
    const declared = await http(base(), 'POST', '/api/auth/login', { rawBody: big })
    expect(declared.status).toBe(413)
    expect(declared.body.data.code).toBe('PAYLOAD_TOO_LARGE')

    const url = new URL('/api/auth/login', base())
    const chunked = await new Promise<{ status: number, body: string }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let body = ''
        res.on('data', (d) => { body += d })
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      })
      req.on('error', reject)
      for (let i = 0; i < 20; i++) req.write('x'.repeat(10_000))
      req.end()
    })
    expect(chunked.status).toBe(413)
    expect(JSON.parse(chunked.body).data.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('answers wrong types with 422 field errors and an empty body with 422, never 500', async () => {
    const user = await newUser(base(), 'types')
    const wrong = await http(base(), 'POST', '/api/restore', { token: user.accessToken, body: { backup_id: 42 } })
    expect(wrong.status).toBe(422)
    expect(wrong.body.data.fields.backup_id).toBeTruthy()
    const arr = await http(base(), 'POST', '/api/auth/login', { rawBody: '[1,2,3]' })
    expect(arr.status).toBe(422)
    const empty = await http(base(), 'POST', '/api/restore', { token: user.accessToken, rawBody: '' })
    expect(empty.status).toBe(422)
  })
})
