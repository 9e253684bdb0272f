/**
 * Vuetify's theme stylesheet (the `<style id="vuetify-theme-stylesheet">` with every theme's CSS
 * variables and the bg-/text-/border- utility classes), built once per theme name per process
 * instead of once per server-rendered page.
 *
 * On the server Vuetify hands unhead a function (`getHead`) that derives the whole stylesheet
 * from the theme definitions on every render: merging the themes, working out the "on-" colours,
 * parsing every colour — about half a millisecond: a tenth of a bare signed-out page's CPU, 5 %
 * of the home page's (issue 16). Its output depends only on the theme definitions, which Cofre fixes in
 * vuetify.config.ts and never changes at run time, and on the current theme's name (light, dark:
 * Vuetify refuses any other). So while Vuetify installs, the function it pushes is taken aside,
 * and the head gets one that returns the stylesheet already built for the page's theme — built
 * by Vuetify's own function the first time that theme is seen. The page still carries the same
 * `<style>`; per-user data never enters it. In the browser Vuetify is left as it is (it updates
 * the stylesheet when the theme changes).
 */
interface ThemeHead { style: Record<string, unknown>[] }
interface HeadLike { push: (input: unknown) => unknown }

const built = new Map<string, ThemeHead>()

export default defineNuxtPlugin({
  name: 'cofre-vuetify-theme-stylesheet',
  enforce: 'pre',
  setup(nuxtApp) {
    const provides = nuxtApp.vueApp._context.provides as Record<string, unknown>
    let head: HeadLike | undefined
    let vuetifyGetHead: (() => ThemeHead) | undefined
    // What Vuetify's theme sees while it installs: a head that keeps the first function pushed
    // (the theme's stylesheet) aside and passes anything else to the real head.
    const stand: HeadLike = {
      push: (input: unknown) => {
        if (!vuetifyGetHead && typeof input === 'function') {
          vuetifyGetHead = input as () => ThemeHead
          return { patch() {}, dispose() {} }
        }
        return head!.push(input)
      },
    }
    nuxtApp.hook('vuetify:before-create', () => {
      const current = provides.usehead as HeadLike | undefined
      if (current === stand || !current?.push) return
      head = current
      provides.usehead = stand
    })
    nuxtApp.hook('vuetify:ready', (vuetify) => {
      if (provides.usehead !== stand || !head) return
      provides.usehead = head
      const getHead = vuetifyGetHead
      // Vuetify pushed nothing (its theme disabled, or a version that no longer does): as before.
      if (!getHead) return
      head.push(() => {
        const name = vuetify.theme.name.value
        let entry = built.get(name)
        if (!entry) {
          entry = getHead()
          built.set(name, entry)
        }
        // A fresh object per page: the head may annotate what it is given.
        return { style: entry.style.map(s => ({ ...s })) }
      })
    })
  },
})
