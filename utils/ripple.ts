import type { Directive } from 'vue'
import { Ripple } from 'vuetify/directives'

/** What the lean components (components/app/*) ask of Vuetify's ripple. */
export interface RippleOptions { enabled: boolean, center?: boolean, circle?: boolean }

const toBinding = (value: RippleOptions, old?: RippleOptions | null) =>
  ({ value: value.enabled, oldValue: old?.enabled, modifiers: { center: !!value.center, circle: !!value.circle }, arg: undefined, instance: null, dir: Ripple }) as never

/**
 * Vuetify's own ripple directive, with `center`/`circle` given in the value rather than as static
 * modifiers (an icon button centres its ripple, a text button does not). Client-only, as Ripple is.
 */
export const vAppRipple: Directive<HTMLElement, RippleOptions> = {
  mounted: (el, b) => Ripple.mounted(el, toBinding(b.value)),
  updated: (el, b) => Ripple.updated(el, toBinding(b.value, b.oldValue)),
  unmounted: el => Ripple.unmounted(el),
}
