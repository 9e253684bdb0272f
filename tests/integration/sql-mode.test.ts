// mysql2 escapes values with backslashes. Under a server whose sql_mode has NO_BACKSLASH_ESCAPES,
// a value ending in a backslash would end its string literal early: every session of the app's
// pools takes that mode out of its own sql_mode (server/db/client.ts KEEP_BACKSLASH_ESCAPES).
import mysql from 'mysql2/promise'
import { describe, expect, inject, it } from 'vitest'
import { createDb, KEEP_BACKSLASH_ESCAPES } from '../../server/db/client'

describe('sql_mode of the app\'s sessions', () => {
  it('NO_BACKSLASH_ESCAPES is taken out, the rest of the mode kept; escaped text then reads back as written', async () => {
    const conn = await mysql.createConnection({ uri: inject('stack').databaseUrl })
    const hostile = 'a\\\' OR 1=1 -- '
    await conn.query('SET SESSION sql_mode = \'STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES,NO_ZERO_DATE\'')
    // The hazard: under that mode the escaped literal is not the value sent.
    const [broken] = await conn.query<any[]>(`SELECT ${mysql.escape(hostile)} AS v`).catch(() => [[{ v: undefined }]])
    expect(broken[0]?.v).not.toBe(hostile)
    await conn.query(`SET SESSION ${KEEP_BACKSLASH_ESCAPES}`)
    const [[mode]] = await conn.query<any[]>('SELECT @@SESSION.sql_mode AS m')
    expect(mode.m.split(',')).toEqual(['STRICT_TRANS_TABLES', 'NO_ZERO_DATE'])
    const [[row]] = await conn.query<any[]>(`SELECT ${mysql.escape(hostile)} AS v`)
    expect(row.v).toBe(hostile)
    await conn.end()
  })

  // The server here has no NO_BACKSLASH_ESCAPES by default (changing the global mode would touch
  // every other test): this proves the pool's session statement, which carries the expression
  // above, runs and succeeds on a new session (time_zone is set by the same SET).
  it('the pool runs it on every new session, in the same statement that sets the session\'s time zone', async () => {
    const db = createDb(inject('stack').databaseUrl, { poolSize: 1 })
    try {
      const [[a]] = await db.promisePool.query<any[]>('SELECT @@SESSION.sql_mode AS m, @@SESSION.time_zone AS tz')
      expect(a.m).not.toContain('NO_BACKSLASH_ESCAPES')
      expect(a.tz).toBe('+00:00')
    }
    finally { await db.close() }
  })
})
