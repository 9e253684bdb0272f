import type { H3Event } from 'h3'
import enErrors from '../../i18n/locales/en/errors.json'
import ptErrors from '../../i18n/locales/pt-BR/errors.json'
import enBackups from '../../i18n/locales/en/backups.json'
import ptBackups from '../../i18n/locales/pt-BR/backups.json'

// Server-side messages come from the same locale files as the UI, so a string is translated once.
const MESSAGES = {
  'en': { ...enErrors, ...enBackups },
  'pt-BR': { ...ptErrors, ...ptBackups },
} as Record<ServerLocale, Record<string, unknown>>

export type ServerLocale = 'pt-BR' | 'en'

/** The request's language: the UI's locale cookie first, then Accept-Language; pt-BR by default. */
export function requestLocale(event: H3Event): ServerLocale {
  const cookie = getCookie(event, 'cofre_locale')
  if (cookie === 'en' || cookie === 'pt-BR') return cookie
  const header = getRequestHeader(event, 'accept-language') ?? ''
  for (const part of header.split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase()
    if (tag.startsWith('pt')) return 'pt-BR'
    if (tag.startsWith('en')) return 'en'
  }
  return 'pt-BR'
}

/** Translates `key` (dot path) for the request, interpolating {name} placeholders. */
export function translate(event: H3Event, key: string, params: Record<string, string | number> = {}): string {
  const value = key.split('.').reduce<unknown>((node, k) => (node as Record<string, unknown> | undefined)?.[k], MESSAGES[requestLocale(event)])
  if (typeof value !== 'string') return key
  return value.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))
}
