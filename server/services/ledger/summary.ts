import { and, asc, eq, sql } from 'drizzle-orm'
import type { AccountBalanceDto } from '#shared/schemas/ledger'
import { accounts, transactions } from '../../db/schema'

export interface LedgerSummary {
  accounts: AccountBalanceDto[]
  /** Sum of the balances per currency (currencies are never mixed). */
  totals: { currency: string, balance: string }[]
}

const toCents = (d: string) => BigInt(d.replace('.', ''))
function fromCents(c: bigint): string {
  const abs = (c < 0n ? -c : c).toString().padStart(3, '0')
  return `${c < 0n ? '-' : ''}${abs.slice(0, -2)}.${abs.slice(-2)}`
}

/**
 * Balance = opening balance + SUM(amount), added up by MySQL as DECIMAL and returned as a string;
 * the per-currency totals are added in integer cents (BigInt). No float ever touches money.
 */
export async function ledgerSummary(userId: number): Promise<LedgerSummary> {
  const rows = await useDb().select({
    id: accounts.id,
    name: accounts.name,
    currency: accounts.currency,
    openingBalance: accounts.openingBalance,
    balance: sql<string>`${accounts.openingBalance} + COALESCE(SUM(${transactions.amount}), 0)`.mapWith(String),
    transactionCount: sql<number>`COUNT(${transactions.id})`.mapWith(Number),
  }).from(accounts)
    .leftJoin(transactions, and(eq(transactions.accountId, accounts.id), eq(transactions.userId, accounts.userId)))
    .where(eq(accounts.userId, userId))
    .groupBy(accounts.id)
    .orderBy(asc(accounts.name), asc(accounts.id))

  const byCurrency = new Map<string, bigint>()
  for (const r of rows) byCurrency.set(r.currency, (byCurrency.get(r.currency) ?? 0n) + toCents(r.balance))
  const totals = [...byCurrency].sort(([a], [b]) => a.localeCompare(b)).map(([currency, cents]) => ({ currency, balance: fromCents(cents) }))
  return { accounts: rows, totals }
}
