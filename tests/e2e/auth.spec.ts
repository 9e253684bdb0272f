import { expect, test } from '@playwright/test'
import { hydrated } from '../support/e2e-helpers'

test.describe('protected pages', () => {
  test('an anonymous request for /backups is redirected to /login on the server', async ({ request }) => {
    const res = await request.get('/backups', { maxRedirects: 0 })
    expect([302, 307]).toContain(res.status())
    // …remembering where to come back to after signing in.
    expect(res.headers().location).toMatch(/^\/login\?redirect=(%2F|\/)backups/)
  })

  test('sign up in the browser, land on the protected page, sign out', async ({ page }) => {
    const email = `e2e-${Date.now()}@test.cofre`
    await page.goto('/backups')
    await hydrated(page)
    await expect(page).toHaveURL(/\/login/)
    await page.getByRole('link', { name: /Crie uma agora|Create one now/ }).click()
    await page.locator('input[name="name"]').fill('Ana Conceição')
    await page.locator('input[name="email"]').fill(email)
    await page.locator('input[name="password"]').fill('correct horse battery')
    await page.getByTestId('register-submit').click()
    await expect(page.getByTestId('signed-in-as')).toContainText('Ana Conceição')
    // Brought back to the page that asked for a sign-in.
    await expect(page).toHaveURL(/\/backups$/)
    // A reload renders the protected page on the server with the session cookie.
    await page.goto('/backups')
    await hydrated(page)
    await expect(page).toHaveURL(/\/backups$/)
    await page.getByTestId('logout').click()
    await expect(page).toHaveURL(/\/login/)
    await page.goto('/backups')
    await hydrated(page)
    await expect(page).toHaveURL(/\/login/)
  })

  test('wrong password shows a translated error', async ({ browser }) => {
    const context = await browser.newContext({ locale: 'en-US' })
    const page = await context.newPage()
    await page.goto('/login')
    await hydrated(page)
    await page.locator('input[name="email"]').fill('nobody@test.cofre')
    await page.locator('input[name="password"]').fill('wrong password')
    await page.getByTestId('login-submit').click()
    await expect(page.getByTestId('login-error')).toHaveText('Wrong e-mail or password.')
    await context.close()
  })
})

test.describe('credentials never in a URL', () => {
  for (const page of ['login', 'register'] as const) {
    test(`/${page} with JavaScript disabled: submitting posts the form and no URL carries the password`, async ({ browser }) => {
      const context = await browser.newContext({ javaScriptEnabled: false, locale: 'en-US' })
      const tab = await context.newPage()
      const requests: { method: string, url: string, body: string | null }[] = []
      tab.on('request', req => requests.push({ method: req.method(), url: req.url(), body: req.postData() }))
      const secret = `no-js-secret-${Date.now()}`
      await tab.goto(`/${page}`)
      if (page === 'register') await tab.locator('input[name="name"]').fill('Sem Script')
      await tab.locator('input[name="email"]').fill('nojs@test.cofre')
      await tab.locator('input[name="password"]').fill(secret)
      await tab.getByTestId(`${page}-submit`).click()
      await tab.waitForURL(url => url.pathname === `/${page}` && url.search !== '')
      // No address the browser asked for carries the password…
      expect(requests.filter(r => r.url.includes(secret) || /[?&]password=/.test(r.url)).map(r => r.url)).toEqual([])
      // …it travelled in the body of a POST, which the server answered with a notice.
      expect(requests.some(r => r.method === 'POST' && r.body?.includes(secret))).toBe(true)
      await expect(tab.getByTestId(`${page}-nojs`)).toContainText('Nothing was sent')
      expect(tab.url()).toMatch(new RegExp(`/${page}\\?nojs=1$`))
      await context.close()
    })
  }
})
