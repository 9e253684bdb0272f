import { describe, expect, inject, it } from 'vitest'

const base = () => inject('stack').baseURL

/** The :root block of the page's Vuetify theme stylesheet, and the page's theme class. */
async function themeOf(scheme: 'light' | 'dark' | null) {
  const res = await fetch(`${base()}/login`, { headers: scheme ? { cookie: `cofre_theme=${scheme}` } : {} })
  expect(res.status).toBe(200)
  const html = await res.text()
  const sheet = /<style[^>]*id="vuetify-theme-stylesheet"[^>]*>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? ''
  // The :root blocks (the current theme's colour scheme and variables) come before the classes.
  const root = sheet.slice(0, sheet.indexOf('.v-theme--'))
  return { sheet, root, appClass: /class="v-application[^"]*"/.exec(html)?.[0] ?? '' }
}

// The server builds Vuetify's theme stylesheet once per theme name (plugins/vuetify-theme-
// stylesheet.server.ts). A page must still get its own theme's, whatever was rendered before it.
describe('the theme stylesheet of a server-rendered page', () => {
  it('is the page\'s own theme\'s, page after page, light and dark interleaved', async () => {
    const seen: Record<string, Set<string>> = { light: new Set(), dark: new Set() }
    for (const scheme of ['light', 'dark', 'dark', 'light', null, 'dark', 'light'] as const) {
      const { sheet, root, appClass } = await themeOf(scheme)
      const name = scheme ?? 'light'
      expect(sheet.length).toBeGreaterThan(1000)
      expect(appClass).toContain(`v-theme--${name}`)
      // The current theme's colours on :root (primary #1E5B4F light, #89D5C3 dark).
      expect(root).toContain(`color-scheme: ${name}`)
      expect(root).toContain(name === 'dark' ? '--v-theme-primary: 137,213,195' : '--v-theme-primary: 30,91,79')
      // Both themes' classes are always there (a toggle in the browser needs them).
      expect(sheet).toContain('.v-theme--light {')
      expect(sheet).toContain('.v-theme--dark {')
      seen[name]!.add(sheet)
    }
    // One stylesheet per theme, the same every time it is served.
    expect(seen.light!.size).toBe(1)
    expect(seen.dark!.size).toBe(1)
  })

  it('is the page\'s own theme\'s when light and dark pages render at the same time', async () => {
    const schemes = Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? 'dark' : 'light') as 'light' | 'dark')
    const pages = await Promise.all(schemes.map(s => themeOf(s)))
    for (const [i, { root, appClass }] of pages.entries()) {
      expect(appClass).toContain(`v-theme--${schemes[i]}`)
      expect(root).toContain(`color-scheme: ${schemes[i]}`)
    }
  })
})
