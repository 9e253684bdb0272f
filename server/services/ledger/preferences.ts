import { eq } from 'drizzle-orm'
import type { PreferencesDto, PreferencesUpdate } from '#shared/schemas/ledger'
import { preferences } from '../../db/schema'
import { now } from './common'

const columns = { locale: preferences.locale, theme: preferences.theme, defaultCurrency: preferences.defaultCurrency, updatedAt: preferences.updatedAt }

/** The caller's preferences; a user without a row (e.g. created before preferences existed) gets the defaults. */
export async function getPreferences(userId: number): Promise<PreferencesDto> {
  const read = () => useDb().select(columns).from(preferences).where(eq(preferences.userId, userId)).limit(1)
  let [row] = await read()
  if (!row) {
    await useDb().insert(preferences).values({ userId }).onDuplicateKeyUpdate({ set: { userId } })
    ;[row] = await read()
  }
  return row as PreferencesDto
}

export async function updatePreferences(userId: number, input: PreferencesUpdate): Promise<PreferencesDto> {
  await getPreferences(userId)
  if (Object.keys(input).length) await useDb().update(preferences).set({ ...input, updatedAt: now() }).where(eq(preferences.userId, userId))
  return getPreferences(userId)
}
