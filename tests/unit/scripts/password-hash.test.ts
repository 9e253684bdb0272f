import { describe, expect, it } from 'vitest'
import { hashPassword } from '../../../scripts/lib/password-hash.mjs'
import { verifyPassword } from '../../../server/services/passwords'

describe('scripts/lib/password-hash.mjs', () => {
  it('makes hashes the server accepts (same scheme, parameters and Unicode normalization)', async () => {
    const hash = await hashPassword('Senha com ação ☕ 123')
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/)
    expect(await verifyPassword('Senha com ação ☕ 123', hash)).toBe(true)
    // NFD input (a + combining tilde) is the same password after NFC normalization.
    expect(await verifyPassword('Senha com ac\u0327a\u0303o ☕ 123', hash)).toBe(true)
    expect(await verifyPassword('Senha com acao ☕ 123', hash)).toBe(false)
  })

  it('salts every hash', async () => {
    expect(await hashPassword('same password')).not.toBe(await hashPassword('same password'))
  })
})
