import { getPreferences } from '../../services/ledger/preferences'

/** GET /api/preferences — the caller's { locale, theme, defaultCurrency, updatedAt }. */
export default defineApiHandler(async (event) => {
  return getPreferences(requireUser(event).userId)
})
