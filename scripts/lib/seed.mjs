// Demo data: one user with a realistic ledger (accounts in BRL/USD/EUR, nested income/expense
// categories, N transactions over four years with accents, emoji, NULL notes, JSON tags and
// exact decimal amounts). Used by `npm run seed`, `npm run dev` and benchmarks.
//
// Idempotent: if the user already has exactly the requested number of transactions, its data is
// kept (only the password is reset); otherwise its ledger rows are deleted and generated again.
// Everything happens in one database transaction, so a failed seed leaves the user as it was.
//
// Fast: transactions are streamed to MySQL with LOAD DATA LOCAL INFILE (tab-separated, generated
// on the fly, never held in memory); where the server refuses LOCAL INFILE (MySQL 8 default) it
// falls back to multi-row INSERTs of 5,000 rows.
import { Readable } from 'node:stream'
import mysql from 'mysql2/promise'
import { migrateDatabase } from './database.mjs'
import { hashPassword } from './password-hash.mjs'

export const DEFAULT_DATABASE_URL = 'mysql://root@127.0.0.1:3306/cofre'
export const DEMO_EMAIL = 'demo@cofre.local'
export const DEMO_PASSWORD = 'cofre-demo-2026'
const INSERT_BATCH = 5000
const YEARS = 4

const ACCOUNTS = [
  { name: 'Conta Corrente Itaú', currency: 'BRL', openingBalance: '4250.73', weight: 45 },
  { name: 'Nubank 💜', currency: 'BRL', openingBalance: '0.00', weight: 30 },
  { name: 'Poupança Caixa', currency: 'BRL', openingBalance: '18000.00', weight: 4 },
  { name: 'Carteira 👛', currency: 'BRL', openingBalance: '152.35', weight: 12 },
  { name: 'Chase Checking', currency: 'USD', openingBalance: '1200.00', weight: 6 },
  { name: 'Revolut €', currency: 'EUR', openingBalance: '-35.10', weight: 3 },
]

/** Parent → children; each leaf has descriptions, an amount range in cents and a weight. */
const CATEGORIES = [
  { name: 'Salário', kind: 'income', children: [
    { name: 'Salário mensal', weight: 3, cents: [650000, 980000], descriptions: ['Salário 💰', 'Salário — Empresa Ação Ltda.'] },
    { name: '13º salário', weight: 0.3, cents: [300000, 500000], descriptions: ['13º salário 🎄', 'Adiantamento 13º'] },
  ] },
  { name: 'Renda extra', kind: 'income', children: [
    { name: 'Freelance', weight: 2, cents: [40000, 350000], descriptions: ['Projeto freelance — site', 'Consultoria 👩‍💻', 'Tradução técnica'] },
    { name: 'Rendimentos', weight: 2.5, cents: [500, 60000], descriptions: ['Rendimento poupança', 'Dividendos ITSA4 📈', 'Juros CDB'] },
  ] },
  { name: 'Alimentação', kind: 'expense', children: [
    { name: 'Supermercado', weight: 14, cents: [-95000, -2500], descriptions: ['Pão de Açúcar', 'Carrefour', 'Feira livre 🥬', 'Hortifrúti São João'] },
    { name: 'Açougue', weight: 5, cents: [-32000, -4000], descriptions: ['Açougue do Zé 🥩', 'Picanha para o churrasco', 'Frango e linguiça'] },
    { name: 'Café ☕', weight: 12, cents: [-3500, -450], descriptions: ['Café ☕', 'Padaria Pão Quente ☕', 'Cappuccino e pão de queijo'] },
    { name: 'Restaurantes', weight: 10, cents: [-28000, -2200], descriptions: ['Almoço — self-service', 'Jantar japonês 🍣', 'Pizzaria Napolitana 🍕', 'iFood'] },
  ] },
  { name: 'Moradia', kind: 'expense', children: [
    { name: 'Aluguel', weight: 1, cents: [-320000, -280000], descriptions: ['Aluguel apartamento 🏠'] },
    { name: 'Condomínio', weight: 1, cents: [-90000, -70000], descriptions: ['Condomínio Edifício Ipê'] },
    { name: 'Energia ⚡', weight: 1, cents: [-42000, -12000], descriptions: ['Conta de luz — Enel'] },
    { name: 'Água', weight: 1, cents: [-15000, -6000], descriptions: ['Sabesp'] },
    { name: 'Internet', weight: 1, cents: [-13000, -9990], descriptions: ['Vivo Fibra 📶'] },
  ] },
  { name: 'Transporte', kind: 'expense', children: [
    { name: 'Combustível ⛽', weight: 5, cents: [-35000, -8000], descriptions: ['Posto Ipiranga', 'Shell Select'] },
    { name: 'Aplicativos', weight: 7, cents: [-9000, -1200], descriptions: ['Uber 🚗', '99 Táxi'] },
    { name: 'Ônibus e metrô', weight: 6, cents: [-1500, -440], descriptions: ['Bilhete Único', 'Metrô — recarga'] },
  ] },
  { name: 'Saúde', kind: 'expense', children: [
    { name: 'Farmácia 💊', weight: 4, cents: [-25000, -900], descriptions: ['Drogasil', 'Droga Raia'] },
    { name: 'Plano de saúde', weight: 1, cents: [-98000, -98000], descriptions: ['Plano de saúde — Unimed'] },
  ] },
  { name: 'Lazer', kind: 'expense', children: [
    { name: 'Cinema 🎬', weight: 2, cents: [-9000, -2200], descriptions: ['Cinemark', 'Pipoca e ingresso'] },
    { name: 'Viagens ✈️', weight: 1, cents: [-450000, -15000], descriptions: ['Passagem aérea — LATAM', 'Hotel em Florianópolis 🏖️', 'Pousada em Paraty'] },
  ] },
  { name: 'Educação', kind: 'expense', children: [] },
]
// A top-level category used directly, without children.
const LEAF_PARENTS = { Educação: { weight: 2, cents: [-60000, -3000], descriptions: ['Curso de inglês 🇬🇧', 'Livros 📚', 'Mensalidade — pós-graduação'] } }

const NOTES = [
  'Dividido com a Ana 👭', 'Pago no cartão final 1234', 'Nota fiscal nº 4521', 'Linha 1\nLinha 2', 'Reembolso pendente — "urgente"',
  'Caminho C:\\Users\\demo\\recibo.pdf', 'Tab\tseparado', 'Conferir na fatura 🧾', 'Presente de aniversário 🎁', 'Parcela 3/10',
]
const TAGS = ['recorrente', 'cartão', 'pix', 'viagem', 'família', 'trabalho', '🎉', 'reembolsável', 'essencial']

/** mulberry32: a small seeded PRNG, so the same options give the same data. */
function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function picker(items, weightOf) {
  const cumulative = []
  let sum = 0
  for (const item of items) { sum += weightOf(item); cumulative.push(sum) }
  return (r) => {
    const x = r * sum
    let lo = 0, hi = cumulative.length - 1
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cumulative[mid] > x) hi = mid; else lo = mid + 1 }
    return items[lo]
  }
}

/** Integer cents → exact decimal string ('-1234.05'); money never passes through a float. */
export function centsToDecimal(cents) {
  const abs = Math.abs(cents)
  return `${cents < 0 ? '-' : ''}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

const pad = n => String(n).padStart(2, '0')
const isoDay = d => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`

/**
 * Yields `count` transactions as plain objects, oldest first (ids grow with dates, as in real use),
 * spread over the last four years up to today.
 */
export function* generateTransactions({ count, accountIds, leaves, seed = 42 }) {
  const rand = prng(seed)
  const pickAccount = picker(accountIds.map((id, i) => ({ id, weight: ACCOUNTS[i].weight })), a => a.weight)
  const pickLeaf = picker(leaves, l => l.weight)
  const end = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate())
  const start = end - YEARS * 365 * 86_400_000
  const span = end - start
  for (let i = 0; i < count; i++) {
    const leaf = pickLeaf(rand())
    const [lo, hi] = leaf.cents
    const cents = lo + Math.floor(rand() * (hi - lo + 1))
    const tagCount = rand() < 0.55 ? 0 : 1 + Math.floor(rand() * 3)
    const tags = []
    for (let k = 0; k < tagCount; k++) { const tag = TAGS[Math.floor(rand() * TAGS.length)]; if (!tags.includes(tag)) tags.push(tag) }
    yield {
      accountId: pickAccount(rand()).id,
      categoryId: rand() < 0.05 ? null : leaf.id,
      amount: centsToDecimal(cents),
      date: isoDay(new Date(start + Math.floor(((i + rand()) / count) * span))),
      description: leaf.descriptions[Math.floor(rand() * leaf.descriptions.length)],
      notes: rand() < 0.3 ? null : NOTES[Math.floor(rand() * NOTES.length)],
      tags,
    }
  }
}

// ── LOAD DATA LOCAL INFILE: tab-separated, MySQL's default escapes, \N for NULL ─────────────────
const tsv = v => (v === null ? '\\N' : String(v).replace(/[\\\t\n\r\0]/g, c => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' })[c]))

/** The next `n` rows of the iterator as a stream of ~1 MiB Buffers (mysql2 wants Buffers). */
function tsvStream(userId, iterator, n) {
  async function* chunks() {
    let buf = ''
    for (let i = 0; i < n; i++) {
      const { value: r, done } = iterator.next()
      if (done) break
      buf += `${userId}\t${r.accountId}\t${tsv(r.categoryId)}\t${r.amount}\t${r.date}\t${tsv(r.description)}\t${tsv(r.notes)}\t${tsv(JSON.stringify(r.tags))}\n`
      if (buf.length >= 1 << 20) { yield Buffer.from(buf, 'utf8'); buf = '' }
    }
    if (buf) yield Buffer.from(buf, 'utf8')
  }
  return Readable.from(chunks(), { objectMode: false })
}

const TX_COLUMNS = '(user_id, account_id, category_id, amount, date, description, notes, tags)'

/**
 * mysql2 does not apply backpressure to a LOCAL INFILE stream (it buffers whatever the stream
 * produces), so the rows go in statements of LOAD_CHUNK rows: memory stays ~tens of MB.
 */
const LOAD_CHUNK = 100_000

async function loadTransactions(conn, userId, rows, count) {
  const iterator = rows[Symbol.iterator]()
  for (let done = 0; done < count; done += LOAD_CHUNK) {
    const stream = tsvStream(userId, iterator, Math.min(LOAD_CHUNK, count - done))
    await conn.query({
      sql: `LOAD DATA LOCAL INFILE 'cofre-seed.tsv' INTO TABLE transactions CHARACTER SET utf8mb4
            FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ${TX_COLUMNS}`,
      infileStreamFactory: () => stream,
    })
  }
}

async function insertTransactions(conn, userId, rows) {
  let batch = []
  const flush = async () => {
    if (!batch.length) return
    await conn.query(`INSERT INTO transactions ${TX_COLUMNS} VALUES ?`, [batch])
    batch = []
  }
  for (const r of rows) {
    batch.push([userId, r.accountId, r.categoryId, r.amount, r.date, r.description, r.notes, JSON.stringify(r.tags)])
    if (batch.length === INSERT_BATCH) await flush()
  }
  await flush()
}

/** Server or client refuses LOCAL INFILE: 1148 (older servers), 3948 (MySQL 8 local_infile=OFF), 4166 (MariaDB). */
const LOCAL_INFILE_REFUSED = new Set([1148, 3948, 4166])

async function ledgerCounts(conn, userId) {
  const [[row]] = await conn.query(
    `SELECT (SELECT COUNT(*) FROM accounts WHERE user_id = ?) AS accounts,
            (SELECT COUNT(*) FROM categories WHERE user_id = ?) AS categories,
            (SELECT COUNT(*) FROM transactions WHERE user_id = ?) AS transactions`, [userId, userId, userId])
  return { accounts: Number(row.accounts), categories: Number(row.categories), transactions: Number(row.transactions) }
}

/**
 * Creates (or refreshes) a demo user with `transactions` generated transactions.
 * `method`: 'auto' tries LOAD DATA LOCAL INFILE and falls back to INSERTs if it is refused;
 * `localInfile: false` never offers LOCAL INFILE to the server (for servers that must not allow it).
 * @param {{ url?: string, email?: string, password?: string, name?: string, transactions?: number, method?: 'auto' | 'infile' | 'insert', localInfile?: boolean, seed?: number, log?: (msg: string) => void }} options
 * @returns {Promise<{ userId: number, email: string, password: string, skipped: boolean, method: string | null, counts: { accounts: number, categories: number, transactions: number }, seconds: { total: number, transactions: number } }>}
 */
export async function seedUser(options = {}) {
  const {
    url = process.env.NUXT_DATABASE_URL || DEFAULT_DATABASE_URL,
    email = DEMO_EMAIL,
    password = DEMO_PASSWORD,
    name = 'Demo Cofre',
    transactions: count = 1000,
    method = 'auto',
    localInfile = true,
    seed = 42,
    log = () => {},
  } = options
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`transactions must be a non-negative integer (got ${count})`)
  const started = performance.now()
  await migrateDatabase(url)
  // Slow CPU work (scrypt) before the transaction, so it holds no locks meanwhile.
  const passwordHash = await hashPassword(password)
  const conn = await mysql.createConnection({ uri: url, charset: 'utf8mb4_unicode_ci', dateStrings: true, supportBigNumbers: true, timezone: 'Z', flags: localInfile ? [] : ['-LOCAL_FILES'] })
  try {
    await conn.beginTransaction()
    const [[existing]] = await conn.query('SELECT id FROM users WHERE email = ? FOR UPDATE', [email.toLowerCase()])
    let userId = existing?.id
    if (userId) {
      await conn.query('UPDATE users SET password_hash = ? WHERE id = ?', [passwordHash, userId])
      const counts = await ledgerCounts(conn, userId)
      if (counts.transactions === count && counts.accounts > 0) {
        await conn.commit()
        log(`user ${email} already has ${count} transactions: kept its data, reset its password`)
        return { userId, email, password, skipped: true, method: null, counts, seconds: { total: (performance.now() - started) / 1000, transactions: 0 } }
      }
      log(`user ${email} exists with ${counts.transactions} transactions: replacing its ledger`)
      await conn.query('DELETE FROM transactions WHERE user_id = ?', [userId])
      await conn.query('UPDATE categories SET parent_id = NULL WHERE user_id = ?', [userId])
      await conn.query('DELETE FROM categories WHERE user_id = ?', [userId])
      await conn.query('DELETE FROM accounts WHERE user_id = ?', [userId])
    }
    else {
      const [res] = await conn.query('INSERT INTO users (email, name, password_hash) VALUES (?, ?, ?)', [email.toLowerCase(), name, passwordHash])
      userId = res.insertId
    }
    await conn.query('INSERT IGNORE INTO preferences (user_id, locale, theme, default_currency) VALUES (?, \'pt-BR\', \'system\', \'BRL\')', [userId])

    await conn.query('INSERT INTO accounts (user_id, name, currency, opening_balance) VALUES ?', [ACCOUNTS.map(a => [userId, a.name, a.currency, a.openingBalance])])
    const [accRows] = await conn.query('SELECT id, name FROM accounts WHERE user_id = ?', [userId])
    const accountIds = ACCOUNTS.map(a => accRows.find(r => r.name === a.name).id)

    await conn.query('INSERT INTO categories (user_id, name, kind) VALUES ?', [CATEGORIES.map(c => [userId, c.name, c.kind])])
    const [parents] = await conn.query('SELECT id, name FROM categories WHERE user_id = ?', [userId])
    const parentId = n => parents.find(r => r.name === n).id
    const children = CATEGORIES.flatMap(c => c.children.map(ch => ({ ...ch, kind: c.kind, parent: c.name })))
    await conn.query('INSERT INTO categories (user_id, name, kind, parent_id) VALUES ?', [children.map(ch => [userId, ch.name, ch.kind, parentId(ch.parent)])])
    const [all] = await conn.query('SELECT id, name FROM categories WHERE user_id = ?', [userId])
    const leaves = [
      ...children.map(ch => ({ ...ch, id: all.find(r => r.name === ch.name).id })),
      ...Object.entries(LEAF_PARENTS).map(([n, l]) => ({ ...l, name: n, id: parentId(n) })),
    ]

    // Every id below was just read back from this user's rows, so per-row FK and unique checks
    // are redundant for this one bulk load; they are switched back on before commit.
    await conn.query('SET SESSION foreign_key_checks = 0, unique_checks = 0')
    const txStarted = performance.now()
    const rows = () => generateTransactions({ count, accountIds, leaves, seed })
    let used = method === 'insert' ? 'insert' : 'infile'
    try {
      if (used === 'infile') await loadTransactions(conn, userId, rows(), count)
      else await insertTransactions(conn, userId, rows())
    }
    catch (err) {
      if (method !== 'auto' || !LOCAL_INFILE_REFUSED.has(err.errno)) throw err
      log(`LOAD DATA LOCAL INFILE refused (${err.errno}): falling back to multi-row INSERTs`)
      used = 'insert'
      await insertTransactions(conn, userId, rows())
    }
    finally {
      await conn.query('SET SESSION foreign_key_checks = 1, unique_checks = 1')
    }
    const txSeconds = (performance.now() - txStarted) / 1000
    const counts = await ledgerCounts(conn, userId)
    if (counts.transactions !== count) throw new Error(`seed: expected ${count} transactions, the database has ${counts.transactions}`)
    await conn.commit()
    return { userId, email, password, skipped: false, method: used, counts, seconds: { total: (performance.now() - started) / 1000, transactions: txSeconds } }
  }
  catch (err) {
    await conn.rollback().catch(() => {})
    throw err
  }
  finally {
    await conn.end()
  }
}

/** Whether a user with this e-mail exists (the dev script seeds only the first time). */
export async function userExists(url, email) {
  const conn = await mysql.createConnection({ uri: url })
  try {
    const [[row]] = await conn.query('SELECT 1 AS found FROM users WHERE email = ?', [email.toLowerCase()])
    return Boolean(row)
  }
  finally { await conn.end() }
}
