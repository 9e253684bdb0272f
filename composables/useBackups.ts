import { BACKUPS_MAX_PAGE_SIZE, BACKUPS_PAGE_SIZE, type BackupPageDto, type CreatedBackupDto, type RestoreResultDto } from '#shared/schemas/backups'

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

  async function create(): Promise<CreatedBackupDto> {
    let created: CreatedBackupDto
    try { created = await api<CreatedBackupDto>('/api/backup', { method: 'POST' }) }
    catch (err) { return refreshAfter(err) }
    // The new row goes on top at once; the refresh then brings the list in line with the server.
    const { urlDownload: _url, expiresAt: _exp, ...row } = created
    data.value = { items: [row, ...(data.value?.items ?? []).filter(b => b.backup_id !== row.backup_id)], next_cursor: data.value?.next_cursor ?? null }
    await refresh()
    return created
  }

  async function restore(backupId: string): Promise<RestoreResultDto> {
    let result: RestoreResultDto
    const banner = useRestoreBanner()
    banner.mark(true)
    try { result = await api<RestoreResultDto>('/api/restore', { method: 'POST', body: { backup_id: backupId } }) }
    catch (err) { return refreshAfter(err) }
    finally { banner.mark(false) }
    await refresh()
    return result
  }

  async function remove(backupId: string): Promise<void> {
    await api(`/api/backups/${backupId}`, { method: 'DELETE' })
    if (data.value) data.value = { ...data.value, items: data.value.items.filter(b => b.backup_id !== backupId) }
    await refresh()
  }

  /**
   * Downloads through a link issued now: the one from the list (or from creation) may have
   * expired. The browser follows it; S3 answers with Content-Disposition: attachment.
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
    download,
  }
}
