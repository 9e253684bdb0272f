import { RESPOND_ASYNC } from '#shared/prefer'
import { BACKUPS_MAX_PAGE_SIZE, BACKUPS_PAGE_SIZE, type AcceptedBackupDto, type AcceptedRestoreDto, type BackupDto, type BackupPageDto, type CreatedBackupDto, type RestoreResultDto } from '#shared/schemas/backups'

/** This screen follows its jobs itself (a determinate bar from the start): the API need not wait for them. */
const FOLLOWS_JOBS = { ...RESPOND_ASYNC }

/**
 * The caller's backups and what can be done with them. The first page is fetched during SSR (it
 * is in the first HTML) but lazily on client navigation, so the page can show skeletons
 * meanwhile; `loadMore` appends the next page through the API's cursor.
 */
export function useBackups() {
  const api = useApi()
  // How many rows are on screen, so a refresh (after a create, restore or delete) brings back as
  // many from the top — up to one maximum page, beyond which "load more" is offered again.
  const shown = { rows: 0 }
  const { data, status, error, refresh } = useAsyncData('backups', () => {
    const limit = Math.min(BACKUPS_MAX_PAGE_SIZE, Math.max(BACKUPS_PAGE_SIZE, shown.rows))
    return api<BackupPageDto>('/api/backups', { query: limit === BACKUPS_PAGE_SIZE ? undefined : { limit } })
  }, { lazy: true })
  watch(() => data.value?.items.length ?? 0, (n) => { shown.rows = n }, { immediate: true })
  const loadingMore = ref(false)

  /** Appends the next page; rows already shown (moved by a refresh meanwhile) are not repeated. */
  async function loadMore(): Promise<void> {
    const cursor = data.value?.next_cursor
    if (!cursor || loadingMore.value) return
    loadingMore.value = true
    try {
      const next = await api<BackupPageDto>('/api/backups', { query: { cursor } })
      const items = data.value?.items ?? []
      const seen = new Set(items.map(b => b.backup_id))
      data.value = { items: [...items, ...next.items.filter(b => !seen.has(b.backup_id))], next_cursor: next.next_cursor }
    }
    finally { loadingMore.value = false }
  }

  /** After a failure the list may have changed too (a failed row, a safety backup taken). */
  async function refreshAfter(err: unknown): Promise<never> {
    if ((err as { statusCode?: number })?.statusCode !== 401) await refresh()
    throw err
  }

  /** Starts a backup: done within the API's wait (201, with its link), or still going (202, to follow). */
  async function create(): Promise<CreatedBackupDto | AcceptedBackupDto> {
    let created: CreatedBackupDto | AcceptedBackupDto
    try { created = await api<CreatedBackupDto | AcceptedBackupDto>('/api/backup', { method: 'POST', headers: FOLLOWS_JOBS }) }
    catch (err) { return refreshAfter(err) }
    // Still running: the list shows its row (queued or running) in place.
    if (!('urlDownload' in created)) {
      await refresh()
      return created
    }
    // The new row goes on top at once; the refresh then brings the list in line with the server.
    const { urlDownload: _url, expiresAt: _exp, ...row } = created
    data.value = { items: [row, ...(data.value?.items ?? []).filter(b => b.backup_id !== row.backup_id)], next_cursor: data.value?.next_cursor ?? null }
    await refresh()
    return created
  }

  /** Starts a restore: done within the API's wait (200), or still going (202, to follow). */
  async function restore(backupId: string): Promise<RestoreResultDto | AcceptedRestoreDto> {
    let result: RestoreResultDto | AcceptedRestoreDto
    const banner = useRestoreBanner()
    banner.mark(true)
    try { result = await api<RestoreResultDto | AcceptedRestoreDto>('/api/restore', { method: 'POST', body: { backup_id: backupId }, headers: FOLLOWS_JOBS }) }
    catch (err) {
      banner.mark(false)
      return refreshAfter(err)
    }
    if (!('restore_id' in result)) banner.mark(false)
    await refresh()
    return result
  }

  async function remove(backupId: string): Promise<void> {
    await api(`/api/backups/${backupId}`, { method: 'DELETE' })
    if (data.value) data.value = { ...data.value, items: data.value.items.filter(b => b.backup_id !== backupId) }
    await refresh()
  }

  /**
   * Deletes several backups one after another (each is an object and a row; one failure must not
   * hide the others' outcome): which were deleted, and the first failure with the ids it kept.
   */
  async function removeMany(ids: string[]): Promise<{ deleted: string[], failed: string[], firstError: unknown }> {
    const deleted: string[] = []
    const failed: string[] = []
    let firstError: unknown = null
    for (const id of ids) {
      try {
        await api(`/api/backups/${id}`, { method: 'DELETE' })
        deleted.push(id)
      }
      catch (err) {
        // Already gone is what the user wanted.
        if ((err as { statusCode?: number })?.statusCode === 404) { deleted.push(id); continue }
        if ((err as { statusCode?: number })?.statusCode === 401) throw err
        failed.push(id)
        firstError ??= err
      }
    }
    if (data.value) data.value = { ...data.value, items: data.value.items.filter(b => !deleted.includes(b.backup_id)) }
    await refresh()
    return { deleted, failed, firstError }
  }

  /** The user's note on a backup (null clears it); the row is updated in place. */
  async function setNote(backupId: string, note: string | null): Promise<void> {
    const updated = await api<BackupDto>(`/api/backups/${backupId}`, { method: 'PATCH', body: { note } })
    if (data.value) data.value = { ...data.value, items: data.value.items.map(b => (b.backup_id === backupId ? updated : b)) }
  }

  /**
   * Downloads through a link issued now: the one from the list (or from creation) may have
   * expired. The API issues it only after S3 confirmed the object exists, so a missing object or a
   * storage outage is an API error shown on this screen, never S3's XML or the browser's error page.
   * The browser follows it; S3 answers with Content-Disposition: attachment and the name in the
   * user's time zone (a cross-origin link's `download` attribute is ignored by browsers).
   */
  async function download(backupId: string): Promise<void> {
    const link = await api<CreatedBackupDto>(`/api/backups/${backupId}/download`)
    followDownload(link.urlDownload, link.filename)
  }

  return {
    backups: computed(() => data.value?.items ?? []),
    loaded: computed(() => data.value !== undefined && data.value !== null),
    loading: computed(() => status.value === 'pending'),
    hasMore: computed(() => !!data.value?.next_cursor),
    loadingMore,
    loadMore,
    error,
    refresh,
    create,
    restore,
    remove,
    removeMany,
    setNote,
    download,
  }
}
