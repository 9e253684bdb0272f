import { defineConfig } from 'drizzle-kit'

// Only `generate` and `migrate` are used: `push`/`pull` crash on MariaDB (JSON columns come back as LONGTEXT with a CHECK constraint).
export default defineConfig({
  dialect: 'mysql',
  schema: './server/db/schema.ts',
  out: './drizzle',
  dbCredentials: { url: process.env.NUXT_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/cofre' },
})
