// The restore's temp folder holds plaintext ledger rows: private to the OS user (0700 folder,
// 0600 files, whatever the umask), and left-overs of dead processes are swept without touching
// the folders of restores that may still be running (this process's, other live instances').
import { spawnSync } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, stat, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { USER_DATA_TABLES } from '../../../server/db/registry'
import { readArchive } from '../../../server/engine/restore/archive-reader'
import { spoolValidated } from '../../../server/engine/restore/spool'
import { createRestoreTempDir, RESTORE_TEMP_HOST, removeRestoreTempDir, sweepRestoreTempDirs } from '../../../server/engine/restore/temp-dir'
import { validatedRows } from '../../../server/engine/restore/validator'

const golden = fileURLToPath(new URL('../../fixtures/backup-v1-golden.jsonl.gz', import.meta.url))
const mode = async (p: string) => (await stat(p)).mode & 0o777

let base: string
beforeAll(async () => { base = await mkdtemp(join(tmpdir(), 'cofre-unit-')) })
afterAll(async () => { await rm(base, { recursive: true, force: true }) })

describe('restore temp files', () => {
  it('are readable by the owner only, even with a permissive umask', async () => {
    const old = process.umask(0)
    try {
      const dir = await createRestoreTempDir(base)
      expect(await mode(dir)).toBe(0o700)
      const spool = await spoolValidated(validatedRows(readArchive(createReadStream(golden), { maxUncompressedBytes: 1 << 20 }), { userId: 9_000_001, tables: USER_DATA_TABLES }), { dir })
      expect(spool.tables.length).toBeGreaterThan(0)
      for (const f of await readdir(dir)) expect(await mode(join(dir, f)), f).toBe(0o600)
      await removeRestoreTempDir(dir)
      expect(await readdir(base)).not.toContain(dir.slice(base.length + 1))
    }
    finally { process.umask(old) }
  })
})

describe('sweeping left-over restore temp folders', () => {
  it('removes those of dead processes and keeps those that may be in use', async () => {
    // A pid that surely existed and is surely gone: a child that already exited.
    const deadPid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString()
    const mk = async (name: string, ageHours = 0) => {
      const p = join(base, name)
      await mkdir(p, { mode: 0o700 })
      await mkdir(join(p, 'inner'))
      if (ageHours) { const t = new Date(Date.now() - ageHours * 3600_000); await utimes(p, t, t) }
      return name
    }
    const inUse = await createRestoreTempDir(base)
    const dead = await mk(`cofre-restore-${RESTORE_TEMP_HOST}-${deadPid}-aaaaaa`)
    const samePidEarlierProcess = await mk(`cofre-restore-${RESTORE_TEMP_HOST}-${process.pid}-bbbbbb`)
    const liveOtherInstance = await mk(`cofre-restore-${RESTORE_TEMP_HOST}-${process.ppid}-cccccc`)
    const otherHostRecent = await mk('cofre-restore-elsewhere-12345-dddddd')
    const otherHostOld = await mk('cofre-restore-elsewhere-12345-eeeeee', 25)
    const legacyRecent = await mk('cofre-restore-ffffff')
    const legacyOld = await mk('cofre-restore-gggggg', 25)
    const unrelated = await mk('something-else', 100)

    const removed = await sweepRestoreTempDirs({ base })
    expect(removed.sort()).toEqual([dead, samePidEarlierProcess, otherHostOld, legacyOld].sort())
    const left = await readdir(base)
    for (const kept of [inUse.slice(base.length + 1), liveOtherInstance, otherHostRecent, legacyRecent, unrelated]) expect(left).toContain(kept)
    await removeRestoreTempDir(inUse)
  })
})
