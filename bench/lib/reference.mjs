// The reference the issue compares against, run on the same rows in the same run:
//   backup  = mariadb-dump --single-transaction --no-create-info --where="user_id=N" <db> <tables> | gzip -1
//   restore = delete the user's current rows (children first) + `mariadb <db> < dump.sql`
// Both use the stock command-line clients; the password (if any) goes through MYSQL_PWD, never argv.
import { spawn } from 'node:child_process'
import { createReadStream, createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import mysql from 'mysql2/promise'

export function clientArgs(databaseUrl) {
  const u = new URL(databaseUrl)
  const args = [`--host=${u.hostname}`, `--port=${u.port || 3306}`, `--user=${decodeURIComponent(u.username || 'root')}`, '--protocol=TCP']
  const env = { ...process.env }
  if (u.password) env.MYSQL_PWD = decodeURIComponent(u.password)
  return { args, env, database: decodeURIComponent(u.pathname.slice(1)) }
}

function run(cmd, args, { env, stdin, stdout } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: [stdin ? 'pipe' : 'ignore', stdout ? 'pipe' : 'ignore', 'pipe'] })
    let err = ''
    child.stderr.on('data', (d) => { err += d })
    if (stdin) stdin.pipe(child.stdin)
    if (stdout) child.stdout.pipe(stdout)
    child.once('error', reject)
    child.once('exit', code => (code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}: ${err.trim().slice(0, 500)}`))))
  })
}

const dumpBinary = async () => (await which('mariadb-dump')) ? 'mariadb-dump' : 'mysqldump'
const clientBinary = async () => (await which('mariadb')) ? 'mariadb' : 'mysql'
async function which(cmd) {
  try { await run('sh', ['-c', `command -v ${cmd}`]); return true }
  catch { return false }
}

/** Times `mariadb-dump ... | gzip -1 > outFile` (a shell pipeline, as a person would type it). */
export async function referenceBackup(databaseUrl, userId, tables, outFile) {
  const { args, env, database } = clientArgs(databaseUrl)
  const dump = await dumpBinary()
  const quote = s => `'${String(s).replace(/'/g, '\'\\\'\'')}'`
  const cmd = `set -o pipefail; ${dump} ${args.map(quote).join(' ')} --single-transaction --no-create-info --where=${quote(`user_id=${Number(userId)}`)} ${quote(database)} ${tables.map(quote).join(' ')} | gzip -1 > ${quote(outFile)}`
  const started = performance.now()
  await run('bash', ['-c', cmd], { env })
  const seconds = (performance.now() - started) / 1000
  return { seconds, sizeBytes: (await stat(outFile)).size }
}

/** Decompresses a dump once (untimed), so the timed import is the client's work only. */
export async function gunzipTo(gzFile, outFile) {
  await pipeline(createReadStream(gzFile), createGunzip(), createWriteStream(outFile))
}

/**
 * The reference restore: the DELETE of the user's current rows (children first, FK checks off as
 * the dump itself sets them), then the mariadb client replaying the dump. Each part is timed.
 */
export async function referenceRestore(databaseUrl, userId, tables, sqlFile) {
  const { args, env, database } = clientArgs(databaseUrl)
  const client = await clientBinary()
  const deletes = [...tables].reverse().map(t => `DELETE FROM \`${t}\` WHERE user_id = ${Number(userId)};`).join(' ')
  const t0 = performance.now()
  await run(client, [...args, database, '-e', `SET SESSION foreign_key_checks = 0; ${deletes}`], { env })
  const t1 = performance.now()
  await run(client, [...args, database], { env, stdin: createReadStream(sqlFile) })
  const t2 = performance.now()
  return { seconds: (t2 - t0) / 1000, deleteSeconds: (t1 - t0) / 1000, importSeconds: (t2 - t1) / 1000 }
}

/**
 * An order-independent fingerprint of one user's rows, table by table: the row count and the sum
 * of a CRC32 over every column. Equal before and after a restore means the same rows came back.
 */
export async function fingerprint(databaseUrl, userId, tables) {
  const conn = await mysql.createConnection({ uri: databaseUrl, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true })
  try {
    const out = {}
    for (const t of tables) {
      const [cols] = await conn.query('SELECT column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position', [t])
      const expr = `CONCAT_WS('|', ${cols.map(({ c }) => `COALESCE(\`${c}\`, '\\\\N')`).join(', ')})`
      const [[row]] = await conn.query(`SELECT COUNT(*) AS n, COALESCE(SUM(CRC32(${expr})), 0) AS crc FROM ${t} WHERE user_id = ?`, [userId])
      out[t] = { rows: Number(row.n), crc: String(row.crc) }
    }
    return out
  }
  finally { await conn.end() }
}

export async function serverVersion(databaseUrl) {
  const conn = await mysql.createConnection({ uri: databaseUrl })
  try {
    const [[row]] = await conn.query('SELECT VERSION() AS v, @@innodb_buffer_pool_size AS bp, @@local_infile AS li')
    return { version: row.v, innodbBufferPoolBytes: Number(row.bp), localInfile: Boolean(Number(row.li)) }
  }
  finally { await conn.end() }
}
