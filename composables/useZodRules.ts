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

/** The translated message of an API error (the server already translated it), or a fallback key. */
export function apiErrorMessage(err: unknown, fallback: string): string {
  const e = err as { data?: { message?: string }, statusMessage?: string }
  return e?.data?.message ?? fallback
}
