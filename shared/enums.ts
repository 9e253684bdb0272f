// The value lists that the database schema (server/db/schema.ts), the API's zod schemas and the
// UI all use: one source, so a new value is added in one place.
export const CATEGORY_KINDS = ['income', 'expense'] as const
export const LOCALES = ['pt-BR', 'en'] as const
export const THEMES = ['light', 'dark', 'system'] as const
// 'invalid': the object exists but a restore or a download found it unusable (error_code = reason).
export const BACKUP_STATUSES = ['running', 'completed', 'failed', 'invalid'] as const
export const BACKUP_KINDS = ['manual', 'pre-restore', 'scheduled'] as const
