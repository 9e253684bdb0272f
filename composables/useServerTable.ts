import type { Page } from '#shared/schemas/ledger'

export interface SortItem { key: string, order?: boolean | 'asc' | 'desc' }

/**
 * State for a v-data-table-server backed by a paginated ledger endpoint: page, page size, sort
 * and filters become the query string; changing any of them refetches (SSR on first load). A
 * filter change goes back to page 1. Await it in setup so the first page is in the server's HTML.
 */
type Filters = Record<string, string | number | null | undefined>

export async function useServerTable<T, F extends Filters = Filters>(key: string, path: string, filters: Ref<F> = ref({}) as Ref<F>) {
  const api = useApi()
  const page = ref(1)
  const itemsPerPage = ref(25)
  const sortBy = ref<SortItem[]>([])

  const query = computed(() => {
    const sort = sortBy.value[0]
    const q: Record<string, string | number> = { page: page.value, pageSize: itemsPerPage.value }
    if (sort) Object.assign(q, { sortBy: sort.key, sortDesc: String(sort.order === 'desc') })
    for (const [k, v] of Object.entries(filters.value as Filters)) if (v !== null && v !== undefined && v !== '') q[k] = v
    return q
  })
  watch(filters, () => { page.value = 1 }, { deep: true })

  const { data, status, refresh, error } = await useAsyncData(key, () => api<Page<T>>(path, { query: query.value }), { watch: [query] })
  return {
    page,
    itemsPerPage,
    sortBy,
    refresh,
    error,
    items: computed(() => data.value?.items ?? []),
    total: computed(() => data.value?.total ?? 0),
    loading: computed(() => status.value === 'pending'),
  }
}

export type ServerTable<T> = Awaited<ReturnType<typeof useServerTable<T>>>

export const PAGE_SIZE_OPTIONS = [10, 25, 50, 100]

/**
 * The footer's texts as ledger i18n keys (Vuetify translates them through vue-i18n, with {0}-style
 * arguments), because the app's locale files do not carry Vuetify's own `$vuetify.*` messages.
 */
export const TABLE_TEXTS = {
  itemsPerPageText: 'ledger.table.itemsPerPage',
  pageText: 'ledger.table.pageText',
  loadingText: 'ledger.table.loading',
  firstPageLabel: 'ledger.table.firstPage',
  prevPageLabel: 'ledger.table.prevPage',
  nextPageLabel: 'ledger.table.nextPage',
  lastPageLabel: 'ledger.table.lastPage',
}
