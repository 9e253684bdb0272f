// The app's password hash format, for scripts that create users without the server (seed, demo).
// It must stay byte-compatible with server/services/passwords.ts (tests/unit/scripts/password-hash.test.ts
// verifies a hash made here with the server's verifyPassword): scrypt N=2^15, r=8, p=1, 32-byte key,
// stored as `scrypt$N$r$p$salt$hash` in base64url.
import { randomBytes, scrypt } from 'node:crypto'

const PARAMS = { N: 1 << 15, r: 8, p: 1 }
const KEYLEN = 32

/** @param {string} password @returns {Promise<string>} */
export function hashPassword(password) {
  const salt = randomBytes(16)
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEYLEN, { ...PARAMS, maxmem: 256 * PARAMS.N * PARAMS.r }, (err, key) => {
      if (err) reject(err)
      else resolve(['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$'))
    })
  })
}
