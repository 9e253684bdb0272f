import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A restore's temp folder holds plaintext ledger data (the downloaded backup and the spooled
 * rows): it must be private to this OS user and must not outlive the process that made it.
 *
 * Folder names carry who made them: `cofre-restore-<host>-<pid>-<random>`. A process killed
 * mid-restore (kill -9, OOM) cannot clean up, so `sweepRestoreTempDirs` (start-up and hourly)
 * removes the folders whose maker is provably gone:
 *  - made by this process but not in use now (a previous process that had the same pid — in a
 *    container the server is often always pid 1);
 *  - made on this host by a pid that no longer exists;
 *  - anything else (another host sharing the folder, a live pid that may be a reused one, the
 *    pid-less names of older versions) only once older than `maxAgeMs`, far longer than a job.
 * So several instances on one machine (or sharing one temp folder) never remove each other's
 * running restores.
 */
export const RESTORE_TEMP_PREFIX = 'cofre-restore-'

/** Beyond this age a folder is removed whoever made it: no restore takes a day. */
export const RESTORE_TEMP_MAX_AGE_MS = 24 * 3600_000

/** This host's name as it appears in folder names. */
export const RESTORE_TEMP_HOST = hostname().replace(/[^A-Za-z0-9.]/g, '_') || 'host'
const NAME = /^cofre-restore-(.+)-(\d+)-[^-]+$/

/** Folders this process is using right now (never swept). */
const active = new Set<string>()

/** Creates a restore's private temp folder (mode 0700: mkdtemp's, whatever the umask). */
export async function createRestoreTempDir(base = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(base, `${RESTORE_TEMP_PREFIX}${RESTORE_TEMP_HOST}-${process.pid}-`))
  active.add(dir)
  return dir
}

/** Removes a folder made by createRestoreTempDir, whatever is left in it. */
export async function removeRestoreTempDir(dir: string): Promise<void> {
  try { await rm(dir, { recursive: true, force: true }) }
  finally { active.delete(dir) }
}

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true }
  catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM' } // exists, another user's
}

/**
 * Removes restore temp folders left by dead processes (see above); returns the names removed.
 * Errors on one folder (e.g. another user's, not ours to remove) do not stop the others.
 */
export async function sweepRestoreTempDirs(o: { base?: string, maxAgeMs?: number, now?: number } = {}): Promise<string[]> {
  const base = o.base ?? tmpdir()
  const maxAge = o.maxAgeMs ?? RESTORE_TEMP_MAX_AGE_MS
  const now = o.now ?? Date.now()
  const removed: string[] = []
  let names: string[]
  try { names = await readdir(base) }
  catch { return removed }
  for (const name of names) {
    if (!name.startsWith(RESTORE_TEMP_PREFIX)) continue
    const dir = join(base, name)
    if (active.has(dir)) continue
    try {
      const st = await stat(dir)
      if (!st.isDirectory()) continue
      const m = NAME.exec(name)
      const pid = m ? Number(m[2]) : 0
      const ours = m?.[1] === RESTORE_TEMP_HOST
      const gone = ours && (pid === process.pid || !pidAlive(pid))
      if (!gone && now - st.mtimeMs < maxAge) continue
      await rm(dir, { recursive: true, force: true })
      removed.push(name)
    }
    catch { /* vanished meanwhile, or not ours to remove */ }
  }
  return removed
}
