import { and, asc, count, desc, eq } from 'drizzle-orm'
import type { AccountCreate, AccountDto, AccountListQuery, AccountUpdate, Page } from '#shared/schemas/ledger'
import { accounts, transactions } from '../../db/schema'
import { invalid, mysqlErrorCode, now, offsetOf } from './common'
import { withUserWrite } from './write-gate'

const columns = {
  id: accounts.id,
  name: accounts.name,
  currency: accounts.currency,
  openingBalance: accounts.openingBalance,
  createdAt: accounts.createdAt,
  updatedAt: accounts.updatedAt,
}
const SORT = { name: accounts.name, currency: accounts.currency, openingBalance: accounts.openingBalance, createdAt: accounts.createdAt }
const owned = (userId: number, id: number) => and(eq(accounts.id, id), eq(accounts.userId, userId))

export async function listAccounts(userId: number, q: AccountListQuery): Promise<Page<AccountDto>> {
  const dir = q.sortDesc ? desc : asc
  const where = eq(accounts.userId, userId)
  const [items, [row]] = await Promise.all([
    useDb().select(columns).from(accounts).where(where)
      .orderBy(dir(SORT[q.sortBy ?? 'name']), dir(accounts.id)).limit(q.pageSize).offset(offsetOf(q)),
    useDb().select({ total: count() }).from(accounts).where(where),
  ])
  return { items, total: row?.total ?? 0, page: q.page, pageSize: q.pageSize }
}

/** The caller's account; anyone else's (or a missing one) is 404, never a hint that it exists. */
export async function getAccount(userId: number, id: number): Promise<AccountDto> {
  const [row] = await useDb().select(columns).from(accounts).where(owned(userId, id)).limit(1)
  if (!row) throw new AppError('NOT_FOUND')
  return row
}

export async function createAccount(userId: number, input: AccountCreate): Promise<AccountDto> {
  const [res] = await withUserWrite(userId, tx => tx.insert(accounts).values({ ...input, userId }))
  return getAccount(userId, res.insertId)
}

export async function updateAccount(userId: number, id: number, input: AccountUpdate): Promise<AccountDto> {
  await getAccount(userId, id)
  if (Object.keys(input).length) await withUserWrite(userId, tx => tx.update(accounts).set({ ...input, updatedAt: now() }).where(owned(userId, id)))
  return getAccount(userId, id)
}

/** An account that still has transactions is kept (the FK restricts too): move or delete them first. */
export async function deleteAccount(userId: number, id: number): Promise<void> {
  await getAccount(userId, id)
  const [used] = await useDb().select({ id: transactions.id }).from(transactions)
    .where(and(eq(transactions.accountId, id), eq(transactions.userId, userId))).limit(1)
  if (used) throw invalid({ id: 'validation_ledger.accountHasTransactions' })
  try {
    await withUserWrite(userId, tx => tx.delete(accounts).where(owned(userId, id)))
  }
  catch (err) {
    // A transaction was added between the check and the delete.
    if (mysqlErrorCode(err) === 'ER_ROW_IS_REFERENCED_2') throw invalid({ id: 'validation_ledger.accountHasTransactions' })
    throw err
  }
}
