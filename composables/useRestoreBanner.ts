/**
 * Whether a restore is replacing the user's data (their ledger is read-only until it commits).
 * Set by the page that starts a restore, by any API call refused with RESTORE_IN_PROGRESS, and by
 * a check when a page loads; while set, the server is asked every 2 s until the restore is over.
 */
export function useRestoreBanner() {
  const restoring = useState('restoring', () => false)
  let timer: ReturnType<typeof setTimeout> | undefined

  async function check() {
    const { token } = useAuth()
    if (!token.value) return
    try {
      const res = await $fetch<{ restoring: boolean }>('/api/restores/active', { headers: { Authorization: token.value } })
      restoring.value = res.restoring
    }
    catch { /* a failed check leaves the banner as it was */ }
    if (restoring.value) schedule()
  }

  function schedule() {
    if (import.meta.server || timer) return
    timer = setTimeout(() => { timer = undefined; void check() }, 2000)
  }

  function mark(value: boolean) {
    restoring.value = value
    if (value) schedule()
  }

  return { restoring: readonly(restoring), check, mark }
}
