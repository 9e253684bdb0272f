// Browser-side helpers for the Playwright tests: sign up / in through the real forms, call the API
// as the signed-in user, hash downloads, and run axe.
import { createHash, randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { AxeBuilder } from '@axe-core/playwright'
import { expect as baseExpect, type Page } from '@playwright/test'

// Sign-up hashes a password with a memory-hard KDF: slow on a busy 2-core machine.
const expect = baseExpect.configure({ timeout: 15_000 })

export const PASSWORD = 'correct horse battery staple'
export const uniqueEmail = (tag: string) => `${tag}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}@test.cofre`

/** Waits until Vue has hydrated the page (app.vue marks <html>); typing before that would be lost. */
export async function hydrated(page: Page) {
  await expect(page.locator('html[data-hydrated="true"]')).toBeAttached({ timeout: 30_000 })
}

/** Opens a page and waits until Vue has hydrated it. */
export async function open(page: Page, url: string) {
  await page.goto(url)
  await hydrated(page)
}

async function fillForm(page: Page, fields: Record<string, string>, submit: string) {
  for (const [name, value] of Object.entries(fields)) {
    const input = page.locator(`input[name="${name}"]`)
    await input.fill(value)
    await expect(input).toHaveValue(value)
  }
  await page.getByTestId(submit).click()
}

/** Registers through /register and lands on `redirect` (signed in). */
export async function signUp(page: Page, baseURL: string, o: { name: string, email?: string, redirect?: string }) {
  const email = o.email ?? uniqueEmail('e2e-backups')
  const redirect = o.redirect ?? '/backups'
  await open(page, `${baseURL}/register?redirect=${encodeURIComponent(redirect)}`)
  await fillForm(page, { name: o.name, email, password: PASSWORD }, 'register-submit')
  await expect(page).toHaveURL(new RegExp(`${redirect.replace(/\//g, '\\/')}$`))
  // nuxt-auth writes the token cookie a moment after it navigates.
  await expect.poll(async () => (await page.context().cookies()).some(c => c.name === 'cofre.access'), { timeout: 15_000 }).toBe(true)
  return { email, password: PASSWORD }
}

/** Signs in on the login form the browser is showing. */
export async function signInHere(page: Page, email: string) {
  await hydrated(page)
  await fillForm(page, { email, password: PASSWORD }, 'login-submit')
}

/** The Authorization header of the signed-in browser (nuxt-auth keeps the access token in a cookie). */
export async function authHeader(page: Page): Promise<string> {
  const cookie = (await page.context().cookies()).find(c => c.name === 'cofre.access')
  if (!cookie) throw new Error('not signed in: no cofre.access cookie')
  const raw = decodeURIComponent(cookie.value)
  return raw.startsWith('Bearer ') ? raw : `Bearer ${raw}`
}

/** Calls Cofre's API as the browser's user; throws on a non-2xx answer. */
export async function apiAs<T = any>(page: Page, baseURL: string, method: string, path: string, data?: unknown): Promise<T> {
  const res = await page.request.fetch(`${baseURL}${path}`, { method, data, headers: { authorization: await authHeader(page) } })
  if (!res.ok()) throw new Error(`${method} ${path} → ${res.status()} ${await res.text()}`)
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export async function sha256OfFile(path: string) {
  return createHash('sha256').update(await readFile(path)).digest('hex')
}

/** axe-core on the current page: the serious and critical violations, summarized for a readable failure. */
export async function seriousA11yViolations(page: Page) {
  // Colours are judged once they settle: a theme switch fades backgrounds (Vuetify's transitions),
  // and axe measuring mid-fade reads a colour nobody is left looking at (a CI run on a busy machine
  // found 3.41:1 on a half-faded #706e6f). Endless animations (spinners) are not waited for.
  await page.evaluate(() => Promise.all(document.getAnimations()
    .filter(a => a.effect?.getComputedTiming().iterations !== Infinity)
    .map(a => a.finished.catch(() => undefined))))
  const result = await new AxeBuilder({ page }).analyze()
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.map(n => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`) }))
}

export async function screenshot(page: Page, name: string) {
  // From the top: a full-page shot of a scrolled page draws the fixed app bar mid-page.
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true })
}

/** Waits until the backups page is hydrated, so clicks reach Vue. */
export async function backupsReady(page: Page) {
  await expect(page.locator('section[data-hydrated="true"]')).toBeVisible()
}
