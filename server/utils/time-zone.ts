import type { H3Event } from 'h3'
import { validTimeZone } from '#shared/time-zone'

/**
 * The user's time zone as the browser reported it (the `cofre_tz` cookie the pages set, see
 * useUserTimeZone), UTC until it has: download names then match the times the list shows.
 */
export function requestTimeZone(event: H3Event): string {
  return validTimeZone(getCookie(event, 'cofre_tz')) ?? 'UTC'
}
