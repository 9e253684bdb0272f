import { expect as baseExpect, test } from '@playwright/test'
import { connect } from '../support/data'
import { apiAs, open, signUp } from '../support/e2e-helpers'

// The product as a person meets it outside the backup list: where sign-up lands, the navigation
// at desktop and phone widths, money typed the Brazilian (or English) way with income and expense
// explicit, a parent category that finds its children, and the first visit in dark mode.

const base = () => process.env.COFRE_E2E_BASE_URL!
const expect = baseExpect.configure({ timeout: 15_000 })

test.describe('navigation', () => {
  test.use({ locale: 'pt-BR' })

  test('sign-up lands on the dashboard; the navigation is shown at desktop width and behind the menu on a phone', async ({ page }) => {
    await signUp(page, base(), { name: 'Nina Navegação', redirect: '' })
    await expect(page).toHaveURL(/\/dashboard$/)
    const nav = page.getByTestId('nav-permanent')
    await expect(nav).toBeVisible()
    await expect(page.getByTestId('nav-menu')).toBeHidden()
    await nav.getByRole('link', { name: 'Backups' }).click()
    await expect(page).toHaveURL(/\/backups$/)

    await page.setViewportSize({ width: 390, height: 844 })
    await expect(nav).toBeHidden()
    // The page uses the whole width once the permanent drawer is gone.
    expect(await page.locator('main').evaluate(el => el.getBoundingClientRect().left)).toBe(0)
    await page.getByTestId('nav-menu').click()
    await page.getByTestId('nav-drawer').getByRole('link', { name: 'Transações' }).click()
    await expect(page).toHaveURL(/\/transactions$/)
  })
})

test.describe('money typed the Brazilian way, pt-BR', () => {
  test.use({ locale: 'pt-BR' })

  test('"1.234,56" is accepted everywhere an amount is typed; income/expense set the sign; a parent category finds its children', async ({ page }) => {
    await signUp(page, base(), { name: 'Bruno Brasileiro', redirect: '/accounts' })
    await page.getByTestId('account-new').click()
    await page.getByTestId('account-name').locator('input').fill('Conta Corrente')
    await page.getByTestId('account-opening').locator('input').fill('1.234,56')
    await page.getByTestId('account-save').click()
    await expect(page.getByTestId('account-dialog')).toBeHidden()
    const accounts = await apiAs(page, base(), 'GET', '/api/accounts')
    expect(accounts.items[0].openingBalance).toBe('1234.56')
    await expect(page.getByTestId('account-row').first()).toContainText('R$ 1.234,56')

    const food = await apiAs(page, base(), 'POST', '/api/categories', { name: 'Alimentação', kind: 'expense' })
    const out = await apiAs(page, base(), 'POST', '/api/categories', { name: 'Restaurantes', kind: 'expense', parentId: food.id })
    const salary = await apiAs(page, base(), 'POST', '/api/categories', { name: 'Salário', kind: 'income' })

    await open(page, `${base()}/transactions`)
    // An expense (the default) typed as "1.234,50" is stored as an exact negative decimal.
    await page.getByTestId('transaction-new').click()
    await expect(page.getByTestId('transaction-type-expense')).toHaveAttribute('aria-pressed', 'true')
    await page.getByTestId('transaction-amount').locator('input').fill('1.234,50')
    await page.getByTestId('transaction-description').locator('input').fill('Jantar de aniversário')
    await page.getByTestId('transaction-category').locator('input').fill('Restaurantes')
    await page.getByRole('option', { name: 'Alimentação › Restaurantes' }).click()
    await page.getByTestId('transaction-save').click()
    await expect(page.getByTestId('transaction-dialog')).toBeHidden()

    // Income explicit: picking an income category switches the type; forcing it back to expense is pointed out.
    await page.getByTestId('transaction-new').click()
    await page.getByTestId('transaction-amount').locator('input').fill('7.500')
    await page.getByTestId('transaction-description').locator('input').fill('Salário de março')
    await page.getByTestId('transaction-category').locator('input').fill('Salário')
    await page.getByRole('option', { name: 'Salário' }).click()
    await expect(page.getByTestId('transaction-type-income')).toHaveAttribute('aria-pressed', 'true')
    await page.getByTestId('transaction-type-expense').click()
    await expect(page.getByTestId('transaction-kind-mismatch')).toHaveText('Esta categoria é de receitas, mas a transação está marcada como despesa.')
    await page.getByTestId('transaction-type-income').click()
    await expect(page.getByTestId('transaction-kind-mismatch')).toHaveCount(0)
    await page.getByTestId('transaction-save').click()
    await expect(page.getByTestId('transaction-dialog')).toBeHidden()

    const txs = (await apiAs(page, base(), 'GET', '/api/transactions')).items
    expect(Object.fromEntries(txs.map((t: any) => [t.description, t.amount]))).toEqual({ 'Jantar de aniversário': '-1234.50', 'Salário de março': '7500.00' })
    expect(txs.find((t: any) => t.description === 'Salário de março').categoryId).toBe(salary.id)

    // Editing shows the amount the Brazilian way, without the sign (the type holds it).
    const dinner = page.getByTestId('transaction-row').filter({ hasText: 'Jantar de aniversário' })
    await expect(dinner).toContainText('-R$ 1.234,50')
    await expect(dinner.getByTestId('transaction-category-path')).toHaveText('Alimentação › Restaurantes')
    await dinner.getByRole('button', { name: 'Editar' }).click()
    await expect(page.getByTestId('transaction-amount').locator('input')).toHaveValue('1234,50')
    await expect(page.getByTestId('transaction-type-expense')).toHaveAttribute('aria-pressed', 'true')
    await page.keyboard.press('Escape')

    // Filtering by the parent finds the child's transaction.
    await page.getByTestId('filter-category').locator('input').fill('Alimentação')
    await page.getByRole('option', { name: 'Alimentação', exact: true }).click()
    await expect(page.getByTestId('transaction-row')).toHaveCount(1)
    await expect(page.getByTestId('transaction-row')).toContainText('Jantar de aniversário')
    expect((await apiAs(page, base(), 'GET', `/api/transactions?categoryId=${food.id}`)).items.map((t: any) => t.categoryId)).toEqual([out.id])
  })
})

test.describe('counts in the locale\'s format', () => {
  test.use({ locale: 'pt-BR' })

  test('the dashboard says "1.234 transações", not "1234 transações"', async ({ page }) => {
    await signUp(page, base(), { name: 'Carla Contagem', redirect: '/dashboard' })
    const me = await apiAs(page, base(), 'GET', '/api/auth/session')
    const account = await apiAs(page, base(), 'POST', '/api/accounts', { name: 'Conta Cheia', currency: 'BRL' })
    const conn = await connect(process.env.COFRE_E2E_DATABASE_URL!)
    try {
      const rows = Array.from({ length: 1234 }, (_, i) => [me.id, account.id, '-1.00', '2026-01-01', `t${i}`])
      await conn.query('INSERT INTO transactions (user_id, account_id, amount, date, description) VALUES ?', [rows])
    }
    finally { await conn.end() }
    await open(page, `${base()}/dashboard`)
    await expect(page.getByTestId(`balance-${account.id}`)).toContainText('1.234 transações')
  })
})

test.describe('money typed the English way', () => {
  test.use({ locale: 'en-US' })

  test('"1,234.56" is accepted in English', async ({ page }) => {
    await signUp(page, base(), { name: 'Emma English', redirect: '/accounts' })
    await page.getByTestId('account-new').click()
    await page.getByTestId('account-name').locator('input').fill('Checking')
    await page.getByTestId('account-opening').locator('input').fill('1,234.56')
    await page.getByTestId('account-save').click()
    await expect(page.getByTestId('account-dialog')).toBeHidden()
    expect((await apiAs(page, base(), 'GET', '/api/accounts')).items[0].openingBalance).toBe('1234.56')
  })
})

test.describe('first visit with the system in dark mode', () => {
  test.use({ colorScheme: 'dark', locale: 'pt-BR' })

  test('the first render is already dark (client hint; a pre-paint check where there is none), never light', async ({ page, request }) => {
    // Every document this tab renders records the theme of its first application element.
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        const app = document.querySelector('.v-application')
        if (!app) return
        observer.disconnect()
        const seen = JSON.parse(sessionStorage.getItem('themes-seen') ?? '[]')
        sessionStorage.setItem('themes-seen', JSON.stringify([...seen, app.className.includes('v-theme--dark') ? 'dark' : 'light']))
      }).observe(document, { childList: true, subtree: true })
    })
    await page.goto(`${base()}/login`)
    await expect(page.locator('.v-application')).toHaveClass(/v-theme--dark/)
    const seen = JSON.parse(await page.evaluate(() => sessionStorage.getItem('themes-seen') ?? '[]'))
    expect(seen.length).toBeGreaterThan(0)
    expect(seen).not.toContain('light')

    // The server asks for the hint and renders by it (what Chromium's Critical-CH retry gets).
    const first = await request.get(`${base()}/login`)
    expect(first.headers()['accept-ch']).toBe('Sec-CH-Prefers-Color-Scheme')
    expect(first.headers()['critical-ch']).toBe('Sec-CH-Prefers-Color-Scheme')
    expect(first.headers().vary).toContain('Sec-CH-Prefers-Color-Scheme')
    const hinted = await (await request.get(`${base()}/login`, { headers: { 'sec-ch-prefers-color-scheme': 'dark' } })).text()
    expect(hinted).toContain('v-theme--dark')
    // Without the hint (Firefox, Safari) the server renders light, and the page's own head script
    // corrects it before the body is painted (cookie + one reload), as the browser run above shows.
    const plain = await (await request.get(`${base()}/login`, { headers: { cookie: '' } })).text()
    expect(plain).toContain('v-theme--light')
    expect(plain).toContain('prefers-color-scheme: dark')
    // An explicit choice wins over the system.
    const chosen = await (await request.get(`${base()}/login`, { headers: { 'sec-ch-prefers-color-scheme': 'dark', 'cookie': 'cofre_theme=light' } })).text()
    expect(chosen).toContain('v-theme--light')
  })
})
