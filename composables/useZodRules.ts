import type { ZodType } from 'zod'

/**
 * Vuetify field rules from the shared zod schemas: the same validation the API applies, with the
 * schema's messages (i18n keys) translated.
 */
export function useZodRules() {
  const { t } = useI18n()
  return (schema: ZodType) => [(value: unknown) => {
    const r = schema.safeParse(value)
    return r.success || t(r.error.issues[0]?.message ?? 'validation.invalid')
  }]
}
