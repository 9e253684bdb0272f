import { and, asc, count, desc, eq, gte, inArray, lte } from 'drizzle-orm'
import type { Page, TransactionCreate, TransactionDto, TransactionListQuery, TransactionUpdate } from '#shared/schemas/ledger'
import { accounts, categories, transactions } from '../../db/schema'
import { invalid, mysqlErrorCode, now, offsetOf } from './common'
import { loadCategoryTree } from './category-tree'
import { withUserWrite, type Tx } from './write-gate'

const columns = {
  id: transactions.id,
  accountId: transactions.accountId,
  accountName: accounts.name,
  currency: accounts.currency,
  categoryId: transactions.categoryId,
  categoryName: categories.name,
  amount: transactions.amount,
  date: transactions.date,
  description: transactions.description,
  notes: transactions.notes,
  tags: transactions.tags,
  createdAt: transactions.createdAt,
  updatedAt: transactions.updatedAt,
}
const SORT = { date: transactions.date, amount: transactions.amount, description: transactions.description }
const owned = (userId: number, id: number) => and(eq(transactions.id, id), eq(transactions.userId, userId))
const selectTransactions = () => useDb().select(columns).from(transactions)
  .innerJoin(accounts, and(eq(accounts.id, transactions.accountId), eq(accounts.userId, transactions.userId)))
  .leftJoin(categories, and(eq(categories.id, transactions.categoryId), eq(categories.userId, transactions.userId)))

/** Newest first by default (date, then id); the (user_id, date) index serves that order. */
export async function listTransactions(userId: number, q: TransactionListQuery): Promise<Page<TransactionDto>> {
  const dir = (q.sortDesc ?? !q.sortBy) ? desc : asc
  // A category includes its subcategories: filtering by "Food" finds "Food › Restaurants" too.
  const tree = await loadCategoryTree(userId)
  const where = and(
    eq(transactions.userId, userId),
    q.accountId ? eq(transactions.accountId, q.accountId) : undefined,
    q.categoryId ? inArray(transactions.categoryId, tree.withDescendants(q.categoryId)) : undefined,
    q.from ? gte(transactions.date, q.from) : undefined,
    q.to ? lte(transactions.date, q.to) : undefined,
  )
  // Page the ids on transactions alone, then join names for just those rows: with the joins in the
  // paging query MySQL starts from the (few) accounts and sorts every row of the user (seconds at 1M).
  const [pageIds, [row]] = await Promise.all([
    useDb().select({ id: transactions.id }).from(transactions).where(where)
      .orderBy(dir(SORT[q.sortBy ?? 'date']), dir(transactions.id)).limit(q.pageSize).offset(offsetOf(q)),
    useDb().select({ total: count() }).from(transactions).where(where),
  ])
  const ids = pageIds.map(r => r.id)
  const rows = ids.length ? await selectTransactions().where(and(eq(transactions.userId, userId), inArray(transactions.id, ids))) : []
  const byId = new Map(rows.map(r => [r.id, r]))
  const items = ids.flatMap(id => byId.get(id) ?? []).map(r => ({ ...r, categoryPath: r.categoryId == null ? null : tree.path(r.categoryId) }))
  return { items, total: row?.total ?? 0, page: q.page, pageSize: q.pageSize }
}

export async function getTransaction(userId: number, id: number): Promise<TransactionDto> {
  const [row] = await selectTransactions().where(owned(userId, id)).limit(1)
  if (!row) throw new AppError('NOT_FOUND')
  return { ...row, categoryPath: row.categoryId == null ? null : (await loadCategoryTree(userId)).path(row.categoryId) }
}

/** Referenced account and category must be the caller's: someone else's id is a field error. */
async function assertReferencesOwned(userId: number, refs: { accountId?: number, categoryId?: number | null }) {
  const fields: Record<string, string> = {}
  const [account, category] = await Promise.all([
    refs.accountId === undefined ? undefined : useDb().select({ id: accounts.id }).from(accounts).where(and(eq(accounts.id, refs.accountId), eq(accounts.userId, userId))).limit(1),
    refs.categoryId == null ? undefined : useDb().select({ id: categories.id }).from(categories).where(and(eq(categories.id, refs.categoryId), eq(categories.userId, userId))).limit(1),
  ])
  if (account && !account.length) fields.accountId = 'validation_ledger.accountNotFound'
  if (category && !category.length) fields.categoryId = 'validation_ledger.categoryNotFound'
  if (Object.keys(fields).length) throw invalid(fields)
}

/** Runs a write; if a referenced row vanished meanwhile (FK error), answers the same 422 as the check. */
async function withReferences<T>(userId: number, refs: { accountId?: number, categoryId?: number | null }, write: (tx: Tx) => Promise<T>): Promise<T> {
  await assertReferencesOwned(userId, refs)
  try {
    return await withUserWrite(userId, write)
  }
  catch (err) {
    if (mysqlErrorCode(err) === 'ER_NO_REFERENCED_ROW_2') await assertReferencesOwned(userId, refs)
    throw err
  }
}

export async function createTransaction(userId: number, input: TransactionCreate): Promise<TransactionDto> {
  const [res] = await withReferences(userId, input, tx => tx.insert(transactions).values({ ...input, userId }))
  return getTransaction(userId, res.insertId)
}

export async function updateTransaction(userId: number, id: number, input: TransactionUpdate): Promise<TransactionDto> {
  await getTransaction(userId, id)
  if (Object.keys(input).length) {
    await withReferences(userId, input, tx => tx.update(transactions).set({ ...input, updatedAt: now() }).where(owned(userId, id)))
  }
  return getTransaction(userId, id)
}

export async function deleteTransaction(userId: number, id: number): Promise<void> {
  await getTransaction(userId, id)
  await withUserWrite(userId, tx => tx.delete(transactions).where(owned(userId, id)))
}
