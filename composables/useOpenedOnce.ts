import { readonly, ref, toValue, watch, type MaybeRefOrGetter, type Ref } from 'vue'

/**
 * True from the first time `open` is true, and from then on. A dialog, menu or snackbar that is
 * closed when the page is rendered is then left out of the server's HTML (and out of the first
 * client render) instead of being set up only to render nothing: it is created when first opened
 * and kept afterwards, so its closing transition and its state work as before.
 */
export function useOpenedOnce(open: MaybeRefOrGetter<boolean>): Readonly<Ref<boolean>> {
  const opened = ref(toValue(open))
  if (!opened.value) {
    const stop = watch(() => toValue(open), (isOpen) => {
      if (!isOpen) return
      opened.value = true
      stop()
    })
  }
  return readonly(opened)
}
