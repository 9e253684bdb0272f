// Upgrade steps for files written by older versions.
import { describe, expect, it } from 'vitest'
import { upgrade, UPGRADES } from '../../../../server/engine/restore/upgrades'
import { SCHEMA_VERSION } from '../../../../server/engine/format'

describe('upgrades', () => {
  it('chains every step up to the current schema version and refuses versions with no path', () => {
    const h = { type: 'header', format: 'cofre-backup', version: 1, schemaVersion: 0, createdAt: '', userId: 1, backupId: '', app: { name: '', version: '' }, tables: [{ name: 'accounts', primaryKey: 'id', columns: [{ name: 'opening', type: 'decimal', nullable: false }] }] } as const
    const up = upgrade(structuredClone(h) as never, SCHEMA_VERSION)
    expect(up?.header.schemaVersion).toBe(SCHEMA_VERSION)
    expect(up?.header.tables[0]!.columns[0]!.name).toBe('opening_balance')
    expect(upgrade({ ...structuredClone(h), schemaVersion: -5 } as never, SCHEMA_VERSION)).toBeNull()
  })
  it('has one step per version below the current one, and none that starts at or above it', () => {
    expect(UPGRADES.map(u => u.from).sort((a, b) => a - b)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i))
  })
  it('leaves a current file as it is', () => {
    const h = { type: 'header', format: 'cofre-backup', version: 1, schemaVersion: SCHEMA_VERSION, createdAt: '', userId: 1, backupId: '', app: { name: '', version: '' }, tables: [] } as const
    expect(upgrade(structuredClone(h) as never, SCHEMA_VERSION)).toEqual({ header: h, rows: {} })
  })
})
