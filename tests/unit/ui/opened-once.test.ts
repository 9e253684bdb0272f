import { describe, expect, it } from 'vitest'
import { nextTick, ref } from 'vue'
import { useOpenedOnce } from '../../../composables/useOpenedOnce'

describe('useOpenedOnce (a closed dialog is not rendered until first opened)', () => {
  it('is false while the dialog has never been open, true from its first opening on', async () => {
    const open = ref(false)
    const used = useOpenedOnce(open)
    expect(used.value).toBe(false)
    open.value = true
    await nextTick()
    expect(used.value).toBe(true)
    // Closing keeps it rendered (its closing transition and state stay).
    open.value = false
    await nextTick()
    expect(used.value).toBe(true)
  })

  it('is true at once for a dialog that starts open, and follows a getter', async () => {
    expect(useOpenedOnce(ref(true)).value).toBe(true)
    const notice = ref('')
    const used = useOpenedOnce(() => !!notice.value)
    expect(used.value).toBe(false)
    notice.value = 'Saved'
    await nextTick()
    expect(used.value).toBe(true)
  })
})
