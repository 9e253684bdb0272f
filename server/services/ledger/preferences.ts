import { eq } from 'drizzle-orm'
import type { PreferencesDto, PreferencesUpdate } from '#shared/schemas/ledger'
import { preferences } from '../../db/schema'
import { now } from './common'
import { withUserWrite } from './write-gate'

const columns = { locale: preferences.locale, theme: preferences.theme, defaultCurrency: preferences.defaultCurrency, updatedAt: preferences.updatedAt }

const DEFAULTS = { locale: 'pt-BR', theme: 'system', defaultCurrency: 'BRL' } as const

/**
 * The caller's preferences; a user without a row (e.g. created before preferences existed, or
 * restored from a backup without one) gets the defaults. Reading never writes: a row created
 * by a read could race a restore that is replacing the user's data.
 */
export async function getPreferences(userId: number): Promise<PreferencesDto> {
  const [row] = await useDb().select(columns).from(preferences).where(eq(preferences.userId, userId)).limit(1)
  return (row ?? { ...DEFAULTS, updatedAt: null }) as PreferencesDto
}

export async function updatePreferences(userId: number, input: PreferencesUpdate): Promise<PreferencesDto> {
  if (Object.keys(input).length) {
    await withUserWrite(userId, tx => tx.insert(preferences).values({ userId, ...input })
      .onDuplicateKeyUpdate({ set: { ...input, updatedAt: now() } }))
  }
  return getPreferences(userId)
}
