import { expect, test } from '@playwright/test'

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
    await expect(page).toHaveURL(/\/backups$/)
    await page.getByTestId('logout').click()
    await expect(page).toHaveURL(/\/login/)
    await page.goto('/backups')
    await expect(page).toHaveURL(/\/login/)
  })

  test('wrong password shows a translated error', async ({ browser }) => {
    const context = await browser.newContext({ locale: 'en-US' })
    const page = await context.newPage()
    await page.goto('/login')
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
      const urls: string[] = []
      tab.on('request', req => urls.push(req.url()))
      const secret = `no-js-secret-${Date.now()}`
      await tab.goto(`/${page}`)
      if (page === 'register') await tab.locator('input[name="name"]').fill('Sem Script')
      await tab.locator('input[name="email"]').fill('nojs@test.cofre')
      await tab.locator('input[name="password"]').fill(secret)
      const posted = tab.waitForRequest(req => req.method() === 'POST')
      await tab.getByTestId(`${page}-submit`).click()
      const request = await posted
      // The password travels in the body of a POST, never in the address.
      expect(request.postData()).toContain(secret)
      await expect(tab.getByTestId(`${page}-nojs`)).toContainText('Nothing was sent')
      expect(tab.url()).toMatch(new RegExp(`/${page}\\?nojs=1$`))
      expect(urls.filter(u => u.includes(secret) || /[?&]password=/.test(u))).toEqual([])
      await context.close()
    })
  }
})
