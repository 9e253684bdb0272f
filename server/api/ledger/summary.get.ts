import { ledgerSummary } from '../../services/ledger/summary'

/** GET /api/ledger/summary — per account: opening balance, balance (opening + SUM(amount), DECIMAL string), transaction count; totals per currency. */
export default defineApiHandler(async (event) => {
  return ledgerSummary(requireUser(event).userId)
})
