import { preferencesUpdateSchema } from '#shared/schemas/ledger'
import { updatePreferences } from '../../services/ledger/preferences'

/** PATCH /api/preferences — changes locale, theme and/or defaultCurrency; answers the preferences. */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  return updatePreferences(userId, await readBodyWith(event, preferencesUpdateSchema))
})
