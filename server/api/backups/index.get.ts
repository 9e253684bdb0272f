import { backupListQuery } from '#shared/schemas/backups'
import { listBackups } from '../../services/backups'

/**
 * GET /api/backups?limit=&cursor= — one page of the caller's backups, newest first:
 * `{ items, next_cursor }`. `limit` 1–100 (default 20; more is 422), `cursor` is the previous
 * page's `next_cursor` (opaque; null on the last page).
 */
export default defineApiHandler(async (event) => {
  const { userId } = requireUser(event)
  return listBackups(userId, queryWith(event, backupListQuery), requestTimeZone(event))
})
