// Guards the user-data registry: every table that holds a user's rows is either backed up or
// deliberately excluded (with a reason), and the backup order puts parents before children.
import { is } from 'drizzle-orm'
import { getTableConfig, MySqlTable } from 'drizzle-orm/mysql-core'
import { describe, expect, it } from 'vitest'
import * as schema from '../../../server/db/schema'
import { EXCLUDED_FROM_BACKUP, OWNER_COLUMN, USER_DATA_TABLES } from '../../../server/db/registry'

const tables = (Object.values(schema) as unknown[]).filter((x): x is MySqlTable => is(x, MySqlTable)).map(t => getTableConfig(t))
const registered = USER_DATA_TABLES.map(t => t.name)

describe('user-data registry', () => {
  it('sees the schema\'s tables', () => {
    expect(tables.map(t => t.name)).toEqual(expect.arrayContaining(['users', 'accounts', 'categories', 'transactions', 'preferences']))
  })

  it.each(tables.filter(t => t.columns.some(c => c.name === OWNER_COLUMN)).map(t => [t.name] as const))('%s: a table with user_id is backed up or excluded with a reason', (name) => {
    const backedUp = registered.includes(name)
    const excluded = typeof EXCLUDED_FROM_BACKUP[name] === 'string' && EXCLUDED_FROM_BACKUP[name]!.length > 0
    expect(backedUp || excluded, `${name} has ${OWNER_COLUMN}: add it to USER_DATA (registry.ts) or to EXCLUDED_FROM_BACKUP with a reason`).toBe(true)
    expect(backedUp && excluded, `${name} is both backed up and excluded`).toBe(false)
  })

  it('registers only tables that exist and have the owner column, each once; exclusions name real tables', () => {
    expect(new Set(registered).size).toBe(registered.length)
    for (const name of registered) {
      const cfg = tables.find(t => t.name === name)
      expect(cfg, `${name} is not in schema.ts`).toBeDefined()
      expect(cfg!.columns.some(c => c.name === OWNER_COLUMN), `${name} has no ${OWNER_COLUMN}`).toBe(true)
    }
    for (const name of Object.keys(EXCLUDED_FROM_BACKUP)) expect(tables.some(t => t.name === name), `${name} is not in schema.ts`).toBe(true)
  })

  it('lists parents before children (every reference points at an earlier or the same table)', () => {
    USER_DATA_TABLES.forEach((table, index) => {
      for (const ref of table.references) {
        const target = registered.indexOf(ref.table)
        expect(target, `${table.name}.${ref.column} → ${ref.table} is not registered`).toBeGreaterThanOrEqual(0)
        expect(target, `${table.name}.${ref.column} → ${ref.table} must come first`).toBeLessThanOrEqual(index)
        expect(table.columns.some(c => c.name === ref.column), `${table.name} has no column ${ref.column}`).toBe(true)
      }
    })
  })

  it('derives every registered table\'s references from its foreign keys', () => {
    const refs = Object.fromEntries(USER_DATA_TABLES.map(t => [t.name, t.references.map(r => `${r.column}→${r.table}`).sort()]))
    expect(refs).toEqual({
      accounts: [],
      categories: ['parent_id→categories'],
      transactions: ['account_id→accounts', 'category_id→categories'],
      preferences: [],
    })
  })

  it('covers every table of the schema that has the owner column (the check above is not vacuous)', () => {
    const owned = tables.filter(t => t.columns.some(c => c.name === OWNER_COLUMN)).map(t => t.name).sort()
    // `users` is excluded too, though it is keyed by the user's id rather than a user_id column.
    expect(owned).toEqual([...registered, ...Object.keys(EXCLUDED_FROM_BACKUP).filter(n => n !== 'users')].sort())
    expect(owned.length).toBeGreaterThanOrEqual(registered.length + 3)
  })

  it('updates a changed row in place only where no other unique key could collide mid-UPDATE', () => {
    // preferences has a unique key on the owner column alone (never changed by a restore); the
    // others have none but the primary key.
    expect(Object.fromEntries(USER_DATA_TABLES.map(t => [t.name, t.updatesInPlace]))).toEqual({ accounts: true, categories: true, transactions: true, preferences: true })
    const withUnique = tables.filter(t => t.indexes.some(i => i.config.unique)).map(t => t.name)
    expect(withUnique).toEqual(expect.arrayContaining(['users', 'preferences']))
  })
})
