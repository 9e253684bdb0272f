/**
 * The create / edit / delete life of one kind of ledger item, as its page shows it: a dialog with
 * a form (empty for a new item, filled from the item when editing), the API's field errors on
 * their fields, a confirmation before deleting, and a notice when done. `path` is the REST
 * collection ('/api/accounts'); messages come from `<i18nPrefix>.created|updated|deleted`.
 */
export interface CrudOptions<T extends { id: number }, F extends object> {
  path: string
  i18nPrefix: string
  /** The form of a new item (called when the dialog opens). */
  blank: () => F
  /** The form filled from an existing item. */
  fromItem: (item: T) => F
  /** The request body for a form (defaults to the form itself). */
  toBody?: (form: F) => unknown
  /** Refetches what the change affects (the list, option lists). */
  afterChange: () => Promise<unknown>
}

export function useCrud<T extends { id: number }, F extends object>(o: CrudOptions<T, F>) {
  const { t } = useI18n()
  const api = useApi()
  const dialog = ref(false)
  const editing = ref<T | null>(null) as Ref<T | null>
  const form = reactive(o.blank()) as F
  const valid = ref(false)
  const busy = ref(false)
  const formError = ref('')
  const fieldErrors = ref<Record<string, string>>({})
  const notice = ref('')
  const toDelete = ref<T | null>(null) as Ref<T | null>
  const confirmOpen = ref(false)
  const deleteError = ref('')

  function open(item: T | null) {
    editing.value = item
    Object.assign(form, item ? o.fromItem(item) : o.blank())
    formError.value = ''
    fieldErrors.value = {}
    dialog.value = true
  }

  /** The translated error of a field (or of one of its elements, e.g. `tags.2`). */
  function fieldError(name: string) {
    const key = Object.keys(fieldErrors.value).find(k => k === name || k.startsWith(`${name}.`))
    return key ? t(fieldErrors.value[key] ?? '') : undefined
  }

  async function save() {
    if (!valid.value) return
    busy.value = true
    formError.value = ''
    fieldErrors.value = {}
    const body = (o.toBody ?? (f => ({ ...f })))(form) as Record<string, unknown>
    const item = editing.value
    try {
      if (item) await api(`${o.path}/${item.id}`, { method: 'PATCH', body })
      else await api(o.path, { method: 'POST', body })
      notice.value = t(`${o.i18nPrefix}.${item ? 'updated' : 'created'}`)
      dialog.value = false
      await o.afterChange()
    }
    catch (err) {
      formError.value = apiErrorMessage(err, t('errors.INTERNAL_ERROR'))
      fieldErrors.value = apiFieldErrors(err)
    }
    finally { busy.value = false }
  }

  function askDelete(item: T) {
    toDelete.value = item
    deleteError.value = ''
    confirmOpen.value = true
  }

  async function confirmDelete() {
    const item = toDelete.value
    if (!item) return
    busy.value = true
    try {
      await api(`${o.path}/${item.id}`, { method: 'DELETE' })
      confirmOpen.value = false
      notice.value = t(`${o.i18nPrefix}.deleted`)
      await o.afterChange()
    }
    catch (err) {
      // A refusal tied to the item (e.g. an account that still has transactions) says why.
      const fields = apiFieldErrors(err)
      deleteError.value = fields.id ? t(fields.id) : apiErrorMessage(err, t('errors.INTERNAL_ERROR'))
    }
    finally { busy.value = false }
  }

  return {
    dialog, editing, form, valid, busy, formError, fieldError, notice,
    openCreate: () => open(null), openEdit: (item: T) => open(item), save,
    toDelete, confirmOpen, deleteError, askDelete, confirmDelete,
  }
}

export type Crud<T extends { id: number }, F extends object> = ReturnType<typeof useCrud<T, F>>
