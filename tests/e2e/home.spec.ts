import { expect, test } from '@playwright/test'
import { hydrated } from '../support/e2e-helpers'

test.describe('SSR home page', () => {
  test('renders Portuguese on the server for a pt-BR browser', async ({ request }) => {
    const res = await request.get('/', { headers: { 'Accept-Language': 'pt-BR,pt;q=0.9' } })
    expect(res.status()).toBe(200)
    const html = await res.text()
    // The text is in the HTML the server sent, before any JavaScript ran.
    expect(html).toMatch(/<html[^>]*lang="pt-BR"/)
    expect(html).toContain('Bem-vindo ao Cofre')
    expect(html).toContain('data-ssr="true"')
  })

  test('renders English on the server for an English browser', async ({ request }) => {
    const res = await request.get('/', { headers: { 'Accept-Language': 'en-US,en;q=0.9' } })
    const html = await res.text()
    expect(html).toMatch(/<html[^>]*lang="en-US"/)
    expect(html).toContain('Welcome to Cofre')
    expect(html).not.toContain('Bem-vindo ao Cofre')
  })

  test('shows the page with JavaScript disabled (the HTML came from the server)', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'en-US' })
    const page = await context.newPage()
    await page.goto('/')
    await expect(page.getByTestId('home-title')).toHaveText('Welcome to Cofre')
    await context.close()
  })

  test('hydrates, switches language in the UI and keeps it across reloads', async ({ browser }) => {
    const context = await browser.newContext({ locale: 'en-US' })
    const page = await context.newPage()
    await page.goto('/')
    await hydrated(page)
    await expect(page.getByTestId('home-title')).toHaveText('Welcome to Cofre')
    await page.getByTestId('locale-switcher').click()
    await page.getByTestId('locale-pt-BR').click()
    await expect(page.getByTestId('home-title')).toHaveText('Bem-vindo ao Cofre')
    await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR')
    await page.reload()
    await expect(page.getByTestId('home-title')).toHaveText('Bem-vindo ao Cofre')
    await context.close()
  })

  test('theme toggle switches to dark and is remembered by the server', async ({ page }) => {
    await page.goto('/')
    await hydrated(page)
    await page.getByTestId('theme-toggle').click()
    await expect(page.locator('.v-application')).toHaveClass(/v-theme--dark/)
    const html = await (await page.request.get('/')).text()
    expect(html).toContain('v-theme--dark')
  })
})
