import { randomBytes } from 'node:crypto'
import { expect, test } from '@playwright/test'
import { apiAs, hydrated, open, signUp } from '../support/e2e-helpers'

// A new user signs up in the browser, creates an account and a transaction through the dialogs,
// reloads (the list comes from the server again) and sees both, with money formatted exactly.
test.use({ locale: 'en-US' })

test('sign up, create an account and a transaction, reload and see them listed', async ({ page }) => {
  const email = `e2e-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}@test.cofre`
  await page.goto('/register')
  await hydrated(page)
  await page.getByTestId('register-submit').waitFor()
  await page.getByLabel('Name').fill('Ledger E2E Ação')
  await page.getByLabel('E-mail').fill(email)
  await page.getByLabel('Password').fill('correct horse battery staple')
  await page.getByTestId('register-submit').click()
  await expect(page.getByTestId('signed-in-as')).toContainText('Ledger E2E Ação')

  await page.goto('/accounts')

  await hydrated(page)
  await page.getByTestId('account-new').click()
  await page.getByTestId('account-name').locator('input').fill('Nubank 💜')
  await page.getByTestId('account-opening').locator('input').fill('1500,00')
  await page.getByTestId('account-save').click()
  await expect(page.getByTestId('account-dialog')).toBeHidden()
  const accountRow = page.getByTestId('account-row').filter({ hasText: 'Nubank 💜' })
  await expect(accountRow).toContainText('BRL')
  await expect(accountRow).toContainText('R$1,500.00')

  await page.goto('/transactions')

  await hydrated(page)
  await page.getByTestId('transaction-new').click()
  await page.getByTestId('transaction-amount').locator('input').fill('-12,5')
  await page.getByTestId('transaction-description').locator('input').fill('Café ☕ na padaria')
  await page.getByTestId('transaction-tags').locator('input').fill('café')
  await page.keyboard.press('Enter')
  await page.getByTestId('transaction-save').click()
  await expect(page.getByTestId('transaction-dialog')).toBeHidden()
  await expect(page.getByTestId('transaction-row').filter({ hasText: 'Café ☕ na padaria' })).toBeVisible()

  await page.reload()
  const txRow = page.getByTestId('transaction-row').filter({ hasText: 'Café ☕ na padaria' })
  await expect(txRow).toContainText('-R$12.50')
  await expect(txRow).toContainText('Nubank 💜')
  await expect(txRow).toContainText('café')
  // The first page is rendered on the server: it is in the HTML before any JavaScript runs.
  const html = await (await page.request.get('/transactions')).text()
  expect(html).toContain('Café ☕ na padaria')

  await page.goto('/dashboard')

  await hydrated(page)
  await expect(page.getByTestId('dashboard-totals')).toContainText('R$1,487.50')
})

test('shows the API\'s validation message and refuses to delete an account with transactions', async ({ page, request }) => {
  const email = `e2e-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}@test.cofre`
  const reg = await request.post('/api/auth/register', { data: { email, name: 'Deleter', password: 'correct horse battery staple' } })
  expect(reg.status()).toBe(201)
  const token = (await reg.json()).token.accessToken as string
  const headers = { authorization: `Bearer ${token}` }
  const acc = await (await request.post('/api/accounts', { headers, data: { name: 'Busy account', currency: 'USD' } })).json()
  await request.post('/api/transactions', { headers, data: { accountId: acc.id, amount: '1.00', date: '2024-01-01', description: 'keeps it busy' } })

  await page.goto('/login')

  await hydrated(page)
  await page.getByTestId('login-submit').waitFor()
  await page.getByLabel('E-mail').fill(email)
  await page.getByLabel('Password').fill('correct horse battery staple')
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('signed-in-as')).toBeVisible()

  await page.goto('/accounts')

  await hydrated(page)
  await page.getByTestId(`account-delete-${acc.id}`).click()
  await page.getByTestId('confirm-delete').click()
  await expect(page.getByTestId('confirm-error')).toContainText('This account has transactions')
  await page.getByTestId('confirm-cancel').click()
  await expect(page.getByTestId('account-row').filter({ hasText: 'Busy account' })).toBeVisible()
})

// The table's footer is sent by the server as its look (the range readable at once) and becomes
// Vuetify's real footer in the browser: paging and the page size work once the page is hydrated.
test('the ledger table pages: the server sends the range, the browser pages and changes the page size', async ({ page, baseURL }) => {
  await signUp(page, baseURL!, { name: 'Pager', redirect: '/dashboard' })
  const acc = await apiAs<{ id: number }>(page, baseURL!, 'POST', '/api/accounts', { name: 'Paged', currency: 'BRL' })
  for (let i = 1; i <= 30; i++) await apiAs(page, baseURL!, 'POST', '/api/transactions', { accountId: acc.id, amount: '-1.00', date: `2024-01-${String(i).padStart(2, '0')}`, description: `tx ${i}` })

  const html = await (await page.request.get('/transactions')).text()
  expect(html).toContain('1–25 of 30')
  expect(html).toContain('aria-label="Next page"')

  await open(page, '/transactions')
  const footer = page.locator('.v-data-table-footer')
  await expect(footer).toContainText('1–25 of 30')
  await expect(page.getByTestId('transaction-row')).toHaveCount(25)
  await footer.getByRole('button', { name: 'Next page' }).click()
  await expect(footer).toContainText('26–30 of 30')
  await expect(page.getByTestId('transaction-row')).toHaveCount(5)
  await footer.locator('.v-select .v-field').click()
  await page.getByRole('option', { name: '50' }).click()
  await expect(footer).toContainText('1–30 of 30')
  await expect(page.getByTestId('transaction-row')).toHaveCount(30)
})
