import { describe, expect, it } from 'vitest'
import { BACKUPS_MAX_PAGE_SIZE, BACKUPS_PAGE_SIZE, backupListQuery, backupNoteSchema, decodeBackupCursor, encodeBackupCursor } from '../../../shared/schemas/backups'

const at = { createdAt: '2026-03-01 12:34:56.789', id: '0f8fad5b-d9cb-469f-a165-70867728950e' }

describe('backup list cursor', () => {
  it('round-trips the timestamp and the id through an opaque, URL-safe token', () => {
    const token = encodeBackupCursor(at)
    expect(token).toMatch(/^[\w-]+$/)
    expect(token).not.toContain('2026')
    expect(decodeBackupCursor(token)).toEqual(at)
    expect(decodeBackupCursor(encodeBackupCursor({ ...at, createdAt: '2026-03-01 12:34:56' }))).toEqual({ ...at, createdAt: '2026-03-01 12:34:56' })
  })

  it.each([
    ['empty', ''], ['not base64url', 'a+b/c='], ['no separator', Buffer.from('2026-03-01 12:34:56.789').toString('base64url')],
    ['bad id', Buffer.from('2026-03-01 12:34:56.789|nope').toString('base64url')],
    ['SQL in the timestamp', Buffer.from(`0 OR 1=1|${at.id}`).toString('base64url')],
    ['upper-case id', Buffer.from(`${at.createdAt}|${at.id.toUpperCase()}`).toString('base64url')],
    ['too long', 'a'.repeat(121)],
  ])('refuses %s', (_name, token) => {
    expect(decodeBackupCursor(token)).toBeNull()
  })
})

describe('backupListQuery', () => {
  it('defaults to one page of 20 from the top', () => {
    expect(backupListQuery.parse({})).toEqual({ limit: BACKUPS_PAGE_SIZE })
    expect(BACKUPS_PAGE_SIZE).toBe(20)
    expect(BACKUPS_MAX_PAGE_SIZE).toBe(100)
  })

  it('accepts 1 to the maximum and a valid cursor', () => {
    expect(backupListQuery.parse({ limit: '1', cursor: encodeBackupCursor(at) })).toEqual({ limit: 1, cursor: at })
    expect(backupListQuery.parse({ limit: String(BACKUPS_MAX_PAGE_SIZE) }).limit).toBe(BACKUPS_MAX_PAGE_SIZE)
  })

  it.each([
    [{ limit: String(BACKUPS_MAX_PAGE_SIZE + 1) }, 'limit'], [{ limit: '0' }, 'limit'], [{ limit: '2.5' }, 'limit'], [{ limit: ['1', '2'] }, 'limit'],
    [{ cursor: 'garbage' }, 'cursor'], [{ cursor: ['a', 'b'] }, 'cursor'],
  ])('refuses %j (field %s) instead of clamping', (query, field) => {
    const r = backupListQuery.safeParse(query)
    expect(r.success).toBe(false)
    expect(r.error!.issues[0]!.path).toEqual([field])
    expect(r.error!.issues[0]!.message).toBe('validation.invalid')
  })
})

describe('backupListQuery and broken Unicode', () => {
  it('refuses a lone surrogate in the cursor like every other text field', () => {
    const r = backupListQuery.safeParse({ cursor: 'abc\uD800' })
    expect(r.success).toBe(false)
    expect(r.error!.issues[0]!.message).toBe('validation.unicode')
  })
})

describe('backupNoteSchema (a backup\'s note)', () => {
  const parse = (note: unknown) => backupNoteSchema.safeParse({ note })
  const message = (note: unknown) => { const r = parse(note); return r.success ? null : r.error.issues[0]?.message }

  it('keeps the user\'s words, trimmed; empty or null clears it', () => {
    expect(parse('  antes de importar o extrato  ').data).toEqual({ note: 'antes de importar o extrato' })
    expect(parse('').data).toEqual({ note: null })
    expect(parse(null).data).toEqual({ note: null })
  })
  it('counts characters, not UTF-16 units: 140 emoji fit, 141 do not', () => {
    expect(parse('💜'.repeat(140)).success).toBe(true)
    expect(message('💜'.repeat(141))).toBe('validation.tooLong')
    expect(message('a'.repeat(141))).toBe('validation.tooLong')
  })
  it('refuses a lone surrogate (validation.unicode), control characters and unknown fields', () => {
    expect(message('antes \ud800')).toBe('validation.unicode')
    expect(message('duas\nlinhas')).toBe('validation.invalid')
    expect(message('nul\u0000')).toBe('validation.invalid')
    expect(backupNoteSchema.safeParse({ note: 'x', user_id: 1 }).success).toBe(false)
    expect(message(42)).toBe('validation.invalid')
  })
})
