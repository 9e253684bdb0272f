// Database administration shared by the dev entry point, `npm run db:migrate`, the seed and the
// test harness: create the database named in a MySQL URL, apply drizzle's committed migrations.
import { fileURLToPath } from 'node:url'
import mysql from 'mysql2/promise'
import { drizzle } from 'drizzle-orm/mysql2'
import { migrate } from 'drizzle-orm/mysql2/migrator'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../drizzle', import.meta.url))

/** Splits a MySQL URL into the server URL (no database) and the database name. */
export function parseDatabaseUrl(url) {
  const u = new URL(url)
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''))
  if (!/^[A-Za-z0-9_]{1,64}$/.test(database)) {
    throw new Error(`The database name in NUXT_DATABASE_URL must be letters, digits or _ (got "${database}")`)
  }
  const server = new URL(url)
  server.pathname = '/'
  return { server: server.toString(), database }
}

/** The URL without its password, for messages. */
export function redactUrl(url) {
  const u = new URL(url)
  if (u.password) u.password = '***'
  return u.toString()
}

export class DatabaseUnreachableError extends Error {}

async function connectServer(url) {
  const { server } = parseDatabaseUrl(url)
  try {
    return await mysql.createConnection({ uri: server, connectTimeout: 5000, multipleStatements: false })
  }
  catch (err) {
    const e = new DatabaseUnreachableError(
      `Cannot reach MySQL at ${redactUrl(url)} (${err.code ?? err.message}).\n`
      + '  • Start MariaDB on this machine: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd\n'
      + '  • or point Cofre at another server: NUXT_DATABASE_URL=mysql://user:pass@host:3306/cofre',
    )
    e.cause = err
    throw e
  }
}

export async function ensureDatabase(url) {
  const { database } = parseDatabaseUrl(url)
  const conn = await connectServer(url)
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  }
  finally {
    await conn.end()
  }
}

export async function dropDatabase(url) {
  const { database } = parseDatabaseUrl(url)
  const conn = await connectServer(url)
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${database}\``)
  }
  finally {
    await conn.end()
  }
}

/** Creates the database if needed and applies every pending migration in drizzle/. */
export async function migrateDatabase(url) {
  await ensureDatabase(url)
  const conn = await mysql.createConnection({ uri: url, connectTimeout: 5000 })
  try {
    await migrate(drizzle({ client: conn }), { migrationsFolder: MIGRATIONS_DIR })
  }
  finally {
    await conn.end()
  }
}
