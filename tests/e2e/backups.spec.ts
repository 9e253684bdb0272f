import { readFileSync } from 'node:fs'
import { GetObjectCommand } from '@aws-sdk/client-s3'
import { expect as baseExpect, test, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { SignJWT } from 'jose'
import type mysql from 'mysql2/promise'
import { BACKUP_INVALID_REASONS } from '../../shared/errors'
import { connect, databaseName, gunzipLines } from '../support/data'
import { apiAs, authHeader, backupsReady, open, screenshot, seriousA11yViolations, sha256OfFile, signInHere, signUp } from '../support/e2e-helpers'
import { jobLockName } from '../../server/services/job-lock'
import { replaceObject, s3Client, serialize } from '../support/mutate'
import { startStack, TEST_JWT_SECRET, type Stack } from '../support/stack'

// The backup screen of the seed diagram, in Debian Chromium against the production build:
// create → download (SHA-256 checked) → change the ledger → restore → the old data is back and
// the safety backup is listed; then every failure of the diagram (A1 storage, A2 invalid backup,
// A3 database) plus 409, 429 and an expired session, each shown in the user's words.

const base = () => process.env.COFRE_E2E_BASE_URL!
// Backups and restores are real jobs on a CI machine with 2 cores: give them room.
const expect = baseExpect.configure({ timeout: 15_000 })

// The two journeys below walk the whole screen; on a loaded CI machine they need more than 60 s.
test.describe.configure({ timeout: 150_000 })
const row = (page: Page, kind: string) => page.locator(`[data-testid="backup-row"][data-kind="${kind}"]`)

test('every BACKUP_INVALID reason has a plain-language text in both languages', () => {
  for (const lang of ['pt-BR', 'en']) {
    const reasons = JSON.parse(readFileSync(new URL(`../../i18n/locales/${lang}/backups.json`, import.meta.url), 'utf8')).backups.reasons
    for (const reason of BACKUP_INVALID_REASONS) expect(reasons[reason], `${lang} ${reason}`).toMatch(/\w{3,}.*\./)
  }
})

test.describe('pt-BR, light theme, São Paulo time', () => {
  test.use({ locale: 'pt-BR', timezoneId: 'America/Sao_Paulo' })

  test('create → download (SHA-256 = API) → change ledger → restore with confirmation → old data back, safety backup listed', async ({ page }) => {
    await signUp(page, base(), { name: 'Beatriz Restauração' })
    await backupsReady(page)
    await expect(page.getByTestId('backups-empty')).toContainText('Nenhum backup ainda')

    const account = await apiAs(page, base(), 'POST', '/api/accounts', { name: 'Conta Original', currency: 'BRL', openingBalance: '100.00' })
    const tx = await apiAs(page, base(), 'POST', '/api/transactions', { accountId: account.id, amount: '-12.50', date: '2025-03-10', description: 'Padaria original' })

    // Create: the button disables and the progress shows while the request runs (held 1.5 s
    // before it reaches the server, so the state is observable).
    await page.route('**/api/backup', async (route) => { await new Promise(r => setTimeout(r, 1500)); await route.continue() }, { times: 1 })
    await page.getByTestId('backup-create').click()
    await expect(page.getByTestId('backup-create')).toBeDisabled()
    await expect(page.getByTestId('backup-create')).toHaveText('Criando backup…')
    await expect(page.getByTestId('job-progress')).toBeVisible()
    await expect(page.getByTestId('job-elapsed')).toContainText('Tempo decorrido: 0:0')
    await expect(page.getByTestId('notice')).toHaveText('Backup criado')
    await expect(page.getByTestId('backup-create')).toBeEnabled()
    await expect(page.getByTestId('job-progress')).toBeHidden()

    const first = page.getByTestId('backup-row').first()
    await expect(first).toHaveAttribute('data-kind', 'manual')
    await expect(first).toHaveAttribute('data-status', 'completed')
    await expect(first.getByTestId('backup-kind')).toHaveText('Manual')
    await expect(first.getByTestId('backup-status')).toContainText('Concluído')
    await expect(first.getByTestId('backup-contents')).toHaveText('1 conta, nenhuma categoria e 1 transação')
    await expect(first.getByTestId('backup-size')).toHaveText(/^\d+ B$/)
    const backupId = (await first.getAttribute('data-backup-id'))!
    const apiBackup = await apiAs(page, base(), 'GET', `/api/backups/${backupId}`)
    expect(apiBackup.kind).toBe('manual')

    // Dates are in the browser's time zone, and so is the next server render (cofre_tz cookie).
    const shownDate = (await first.getByTestId('backup-date').textContent())!.trim()
    const expectedDate = new Intl.DateTimeFormat('pt-BR', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'America/Sao_Paulo' }).format(new Date(apiBackup.created_at))
    expect(shownDate).toBe(expectedDate)
    await expect(page.getByTestId('backups-timezone')).toHaveText('Horários no fuso America/Sao_Paulo')
    const html = await (await page.request.get(`${base()}/backups`)).text()
    expect(html).toContain(`data-backup-id="${backupId}"`)
    expect(html).toContain(shownDate)
    expect(html).toContain('Horários no fuso America/Sao_Paulo')

    // Download: a fresh link, followed by the browser; the file's SHA-256 is the one the API and
    // the details show.
    await first.getByTestId('backup-details-toggle').click()
    await expect(first.getByTestId('backup-details-toggle')).toHaveAttribute('aria-expanded', 'true')
    await expect(page.getByTestId('backup-sha256')).toHaveText(apiBackup.sha256)
    await expect(page.getByTestId('backup-filename')).toHaveText(apiBackup.filename)
    const [download] = await Promise.all([page.waitForEvent('download'), first.getByTestId('backup-download').click()])
    // Real S3 names the file from the link's response-content-disposition (apiBackup.filename);
    // fauxqs ignores that parameter, so the browser falls back to the object key's name.
    expect(download.suggestedFilename()).toMatch(/\.jsonl\.gz$/)
    expect(await sha256OfFile((await download.path())!)).toBe(apiBackup.sha256)

    // Change the ledger after the backup.
    await apiAs(page, base(), 'PATCH', `/api/transactions/${tx.id}`, { description: 'Padaria alterada' })
    await apiAs(page, base(), 'POST', '/api/transactions', { accountId: account.id, amount: '-99.00', date: '2025-04-01', description: 'Compra depois do backup' })
    await open(page, `${base()}/transactions`)
    await expect(page.getByTestId('transaction-row').filter({ hasText: 'Compra depois do backup' })).toBeVisible()
    await expect(page.getByTestId('transaction-row').filter({ hasText: 'Padaria original' })).toHaveCount(0)

    // Restore: the dialog says what will happen and needs an explicit confirmation.
    await open(page, `${base()}/backups`)
    await backupsReady(page)
    await row(page, 'manual').first().getByTestId('backup-restore').click()
    const dialog = page.getByTestId('restore-dialog')
    // The dialog names the backup to the second (issue 15: rows of the same minute must differ).
    const toSecond = new Intl.DateTimeFormat('pt-BR', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'America/Sao_Paulo' }).format(new Date(apiBackup.created_at))
    await expect(dialog.getByTestId('restore-replace')).toHaveText(`Seus dados atuais serão substituídos pelos dados de ${toSecond}: contas, categorias, transações e preferências.`)
    await expect(dialog.getByTestId('restore-safety')).toContainText('backup de segurança')
    await expect(dialog.getByTestId('restore-contents')).toContainText('1 conta, nenhuma categoria e 1 transação')
    await expect(dialog.getByTestId('restore-confirm')).toBeDisabled()
    await dialog.getByTestId('restore-understand').locator('input').check()
    await expect(dialog.getByTestId('restore-confirm')).toBeEnabled()
    await dialog.getByTestId('restore-confirm').click()
    await expect(page.getByTestId('notice')).toHaveText('Backup restaurado')
    await expect(page.getByTestId('notice-detail')).toContainText('Restaurados: 1 conta, nenhuma categoria e 1 transação')
    await expect(dialog).toBeHidden()

    // The safety backup of the data before the restore is listed, on top.
    const safety = page.getByTestId('backup-row').first()
    await expect(safety).toHaveAttribute('data-kind', 'pre-restore')
    await expect(safety.getByTestId('backup-kind')).toHaveText('Segurança')
    await expect(safety.getByTestId('backup-contents')).toHaveText('1 conta, nenhuma categoria e 2 transações')

    // The ledger shows the backed-up data again.
    await page.getByTestId('notice-ledger').click()
    await expect(page).toHaveURL(/\/transactions$/)
    await expect(page.getByTestId('transaction-row').filter({ hasText: 'Padaria original' })).toBeVisible()
    await expect(page.getByTestId('transaction-row').filter({ hasText: 'Compra depois do backup' })).toHaveCount(0)
    await expect(page.getByTestId('transaction-row').filter({ hasText: 'Padaria alterada' })).toHaveCount(0)

    await open(page, `${base()}/backups`)
    await backupsReady(page)
    await row(page, 'pre-restore').getByTestId('backup-details-toggle').click()
    await screenshot(page, 'backups-pt-BR-light')
    expect(await seriousA11yViolations(page)).toEqual([])

    // Dark theme: still no serious accessibility problem.
    await page.getByTestId('theme-toggle').click()
    await expect(page.locator('.v-application')).toHaveClass(/v-theme--dark/)
    expect(await seriousA11yViolations(page)).toEqual([])
    await screenshot(page, 'backups-pt-BR-dark')

    // Delete the safety backup, after a confirmation.
    const safetyId = await safety.getAttribute('data-backup-id')
    await safety.getByTestId('backup-delete').click()
    await expect(page.getByTestId('confirm-dialog')).toContainText('será excluído permanentemente')
    await page.getByTestId('confirm-delete').click()
    await expect(page.getByTestId('notice')).toHaveText('Backup excluído')
    await expect(page.locator(`[data-backup-id="${safetyId}"]`)).toHaveCount(0)
    await expect(page.getByTestId('backup-row')).toHaveCount(1)
  })
})

test.describe('English, dark theme, keyboard, phone', () => {
  test.use({ locale: 'en-US', timezoneId: 'America/New_York' })

  test('empty state, skeletons, keyboard-only create and restore dialog, dark theme, phone width', async ({ page }) => {
    await signUp(page, base(), { name: 'Keyboard User' })
    await backupsReady(page)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Backups')
    await expect(page.getByTestId('backups-empty')).toContainText('No backups yet')
    await expect(page.getByTestId('backup-create')).toHaveText('Create backup')

    // Keyboard only: Tab reaches "Create backup", Enter starts it.
    await page.locator('body').click({ position: { x: 5, y: 200 } })
    for (let i = 0; i < 20 && !(await page.getByTestId('backup-create').evaluate(el => el === document.activeElement)); i++) await page.keyboard.press('Tab')
    await expect(page.getByTestId('backup-create')).toBeFocused()
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('notice')).toHaveText('Backup created')
    await expect(page.getByTestId('backup-create')).toBeFocused()
    expect(await seriousA11yViolations(page)).toEqual([]) // with the snackbar showing
    const first = page.getByTestId('backup-row').first()
    await expect(first.getByTestId('backup-kind')).toHaveText('Manual')
    await expect(first.getByTestId('backup-status')).toContainText('Completed')
    await expect(page.getByTestId('backups-timezone')).toHaveText('Times in America/New_York')

    // Details and the restore dialog open from the keyboard; Escape closes the dialog.
    await first.getByTestId('backup-details-toggle').focus()
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('backup-sha256')).toHaveText(/^[0-9a-f]{64}$/)
    await first.getByTestId('backup-restore').focus()
    await page.keyboard.press('Enter')
    const dialog = page.getByTestId('restore-dialog')
    await expect(dialog.getByTestId('restore-replace')).toContainText('Your current data will be replaced by the data of')
    await expect(dialog.getByTestId('restore-safety')).toContainText('safety backup')
    await page.keyboard.press('Escape')
    await expect(dialog).toBeHidden()

    // Loading skeletons while the list loads on a client-side navigation.
    await open(page, `${base()}/transactions`)
    await page.route('**/api/backups', async (route) => { await new Promise(r => setTimeout(r, 1500)); await route.continue() }, { times: 1 })
    // At desktop width the navigation is always shown (issue 15): no menu button to open first.
    await page.getByTestId('nav-permanent').getByRole('link', { name: 'Backups' }).click()
    await expect(page.getByTestId('backups-loading')).toBeVisible()
    await expect(page.getByTestId('backup-row')).toHaveCount(1)
    await expect(page.getByTestId('backups-loading')).toBeHidden()

    await page.getByTestId('theme-toggle').click()
    await expect(page.locator('.v-application')).toHaveClass(/v-theme--dark/)
    expect(await seriousA11yViolations(page)).toEqual([])
    await screenshot(page, 'backups-en-dark')

    await page.setViewportSize({ width: 390, height: 844 })
    await open(page, `${base()}/backups`)
    await backupsReady(page)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await expect(page.getByTestId('backup-row').first().getByTestId('backup-restore')).toBeVisible()
    expect(await seriousA11yViolations(page)).toEqual([])
    await screenshot(page, 'backups-en-dark-phone')
  })
})

// Every failure of the diagram, on a private stack that can be broken: short row-lock waits (A3
// in 2 s instead of 10) and one manual backup per hour (429 on the second).
test.describe('failures shown in the user\'s words (private stack)', () => {
  test.describe.configure({ mode: 'serial' })
  let stack: Stack
  let context: BrowserContext
  let page: Page
  let email: string
  let userId: number
  let backupId: string
  let db: mysql.Connection
  const url = (path: string) => `${stack.app.baseURL}${path}`
  const problemIn = (scope: Page | ReturnType<Page['getByTestId']>, testId: string) => scope.getByTestId(testId)

  async function openRestore(id: string) {
    await page.locator(`[data-testid="backup-row"][data-backup-id="${id}"]`).getByTestId('backup-restore').click()
    const dialog = page.getByTestId('restore-dialog')
    await dialog.getByTestId('restore-understand').locator('input').check()
    await dialog.getByTestId('restore-confirm').click()
    return dialog
  }
  async function closeRestore() {
    await page.getByTestId('restore-dialog').getByTestId('restore-cancel').click()
    await expect(page.getByTestId('restore-dialog')).toBeHidden()
  }

  test.beforeAll(async ({ browser }: { browser: Browser }) => {
    stack = await startStack({ NUXT_DATABASE_LOCK_WAIT_TIMEOUT_SECONDS: '2', NUXT_BACKUPS_RATE_LIMIT: '1' })
    db = await connect(stack.databaseUrl)
    context = await browser.newContext({ locale: 'pt-BR', timezoneId: 'America/Sao_Paulo' })
    page = await context.newPage()
    ;({ email } = await signUp(page, stack.app.baseURL, { name: 'Falhas Controladas' }))
    userId = (await apiAs(page, stack.app.baseURL, 'GET', '/api/auth/session')).id
    const account = await apiAs(page, stack.app.baseURL, 'POST', '/api/accounts', { name: 'Conta Bloqueável', currency: 'BRL' })
    await apiAs(page, stack.app.baseURL, 'POST', '/api/transactions', { accountId: account.id, amount: '10.00', date: '2025-01-02', description: 'Salário' })
  })
  test.afterAll(async () => {
    await context?.close()
    await db?.end()
    await stack?.stop()
  })

  test('429: a second manual backup within the window says when to try again', async () => {
    await open(page, url('/backups'))
    await backupsReady(page)
    await page.getByTestId('backup-create').click()
    await expect(page.getByTestId('notice')).toHaveText('Backup criado')
    backupId = (await page.getByTestId('backup-row').first().getAttribute('data-backup-id'))!

    await page.getByTestId('backup-create').click()
    const alert = page.getByTestId('backup-error')
    await expect(alert).toContainText('Limite de backups atingido')
    await expect(alert.getByTestId('problem-text')).toHaveText(/^Você já criou o número máximo de backups manuais por enquanto\. Tente novamente em (60|59) minutos \(às \d{2}:\d{2}\)\.$/)
    await expect(alert).toContainText('RATE_LIMITED')
    // The button waits until the time the 429 gave, and says when.
    await expect(page.getByTestId('backup-create')).toBeDisabled()
    await expect(page.getByTestId('backup-create-wait')).toHaveText(/^Você poderá criar o próximo backup em (60|59) minutos \(às \d{2}:\d{2}\)\.$/)
  })

  test('A3: a database fault during the restore (row locks beyond the lock wait) — nothing changed', async () => {
    // The restore now leaves rows equal to the backup's untouched (and unlocked): give it an
    // account row to change back, so that it must wait for the lock held below.
    await db.query('UPDATE accounts SET name = ? WHERE user_id = ?', ['Conta Renomeada', userId])
    await db.query('BEGIN')
    await db.query('SELECT id FROM accounts WHERE user_id = ? FOR UPDATE', [userId])
    try {
      const dialog = await openRestore(backupId)
      await expect(dialog.getByTestId('job-progress')).toBeVisible()
      await expect(dialog.getByTestId('restore-confirm')).toBeDisabled()
      const alert = problemIn(dialog, 'restore-error')
      await expect(alert).toContainText('Erro no banco de dados', { timeout: 20_000 })
      await expect(alert.getByTestId('problem-text')).toHaveText('O banco de dados não conseguiu concluir a operação. Nada foi alterado nos seus dados; tente novamente em alguns instantes.')
    }
    finally { await db.query('ROLLBACK') }
    await closeRestore()
    const tx = await apiAs(page, stack.app.baseURL, 'GET', '/api/transactions')
    expect(tx.items.map((t: { description: string }) => t.description)).toEqual(['Salário'])
    // The safety backup taken before the failed replace is listed.
    await expect(page.locator('[data-testid="backup-row"][data-kind="pre-restore"]')).toHaveCount(1)
  })

  test('409: another job of the user is already queued (started in another tab)', async () => {
    const lock = jobLockName(databaseName(stack.databaseUrl), userId)
    await db.query('SELECT GET_LOCK(?, 0)', [lock])
    let other: { restore_id: string, status: string }
    try {
      await page.locator(`[data-testid="backup-row"][data-backup-id="${backupId}"]`).getByTestId('backup-restore').click()
      const dialog = page.getByTestId('restore-dialog')
      await dialog.getByTestId('restore-understand').locator('input').check()
      // Meanwhile another tab starts a restore: it waits in the queue (the user's lock is held elsewhere).
      other = await (await page.request.fetch(url('/api/restore'), { method: 'POST', data: { backup_id: backupId }, headers: { authorization: await authHeader(page), Prefer: 'respond-async' } })).json()
      expect(other.status).toBe('queued')
      await dialog.getByTestId('restore-confirm').click()
      const alert = problemIn(dialog, 'restore-error')
      await expect(alert).toContainText('Outra operação em andamento')
      await expect(alert.getByTestId('problem-text')).toHaveText('Já existe um backup ou uma restauração em andamento na sua conta. Aguarde terminar e tente de novo.')
    }
    finally { await db.query('SELECT RELEASE_LOCK(?)', [lock]) }
    await closeRestore()
    // Its lock free, the other tab's restore runs.
    await expect.poll(async () => (await apiAs(page, stack.app.baseURL, 'GET', `/api/restores/${other!.restore_id}`)).status, { timeout: 30_000 }).toBe('completed')
  })

  test('A2: a corrupted object is "Backup inválido" with the reason in plain language', async () => {
    const [[catalogue]] = await db.query<any[]>('SELECT url FROM backups WHERE id = ?', [backupId])
    const key = String(catalogue.url).replace(/^s3:\/\/[^/]+\//, '')
    const original = Buffer.from(await (await s3Client(stack.aws.endpoint).send(new GetObjectCommand({ Bucket: stack.aws.bucket, Key: key }))).Body!.transformToByteArray())

    // Bytes flipped behind the catalogue's back: the SHA-256 no longer matches.
    const flipped = Buffer.from(original)
    flipped[flipped.length >> 1] = flipped[flipped.length >> 1]! ^ 0xff
    await replaceObject({ endpoint: stack.aws.endpoint, bucket: stack.aws.bucket, conn: db, backupId, bytes: flipped, updateRow: false })
    let dialog = await openRestore(backupId)
    let alert = problemIn(dialog, 'restore-error')
    await expect(alert).toContainText('Backup inválido')
    await expect(alert.getByTestId('problem-text')).toHaveText('O arquivo foi alterado ou danificado depois de criado: sua impressão digital (SHA-256) não confere com a registrada. Nada foi alterado nos seus dados.')
    await closeRestore()
    // The list now says the backup is invalid, why, and offers only what still makes sense.
    const invalidRow = page.locator(`[data-testid="backup-row"][data-backup-id="${backupId}"]`)
    await expect(invalidRow).toHaveAttribute('data-status', 'invalid')
    await expect(invalidRow.getByTestId('backup-status')).toHaveText('Inválido')
    await expect(invalidRow.getByTestId('backup-invalid-reason')).toContainText('impressão digital (SHA-256) não confere')
    await expect(invalidRow.getByTestId('backup-restore')).toHaveCount(0)
    await expect(invalidRow.getByTestId('backup-download')).toHaveCount(0)
    await expect(invalidRow.getByTestId('backup-delete')).toBeEnabled()

    // A forger who also fixes the catalogue and the digest but drops a transaction: the counts betray it.
    const lines = (await gunzipLines(original)).filter(l => l.t !== 'transactions')
    await replaceObject({ endpoint: stack.aws.endpoint, bucket: stack.aws.bucket, conn: db, backupId, bytes: serialize(lines), updateRow: true })
    await open(page, url('/backups'))
    await backupsReady(page)
    dialog = await openRestore(backupId)
    alert = problemIn(dialog, 'restore-error')
    await expect(alert).toContainText('Backup inválido')
    await expect(alert.getByTestId('problem-text')).toHaveText('Faltam ou sobram registros: a quantidade de registros no arquivo não confere com a que o backup declara. Nada foi alterado nos seus dados.')
    await closeRestore()
    // Put the good file back (and clear the verdict), for the journeys below that restore it.
    await replaceObject({ endpoint: stack.aws.endpoint, bucket: stack.aws.bucket, conn: db, backupId, bytes: original, updateRow: true })
  })

  test('expired session: back to sign-in, then back to the backups page', async () => {
    // The access token has expired and the refresh token was revoked (e.g. signed out elsewhere).
    const now = Math.floor(Date.now() / 1000)
    const expired = await new SignJWT({ fid: 'expired-family' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(String(userId))
      .setIssuer('cofre').setAudience('cofre-api').setIssuedAt(now - 3600).setExpirationTime(now - 60).sign(new TextEncoder().encode(TEST_JWT_SECRET))
    await db.query('UPDATE refresh_tokens SET revoked_at = NOW() WHERE user_id = ?', [userId])
    await page.route('**/api/backups/*/download', route => route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${expired}` } }), { times: 1 })
    await page.getByTestId('backup-row').first().getByTestId('backup-download').click()
    await expect(page).toHaveURL(/\/login\?redirect=(%2F|\/)backups$/)
    await signInHere(page, email)
    await expect(page).toHaveURL(/\/backups$/)
    await backupsReady(page)
    // The backup and the safety backups of the two restores above (A3's, the other tab's).
    await expect(page.getByTestId('backup-row')).toHaveCount(3)
    await expect(page.getByTestId('backup-error')).toHaveCount(0)
  })

  test('A1: backup storage unreachable, on create (English) and on restore (Portuguese)', async ({ browser }) => {
    const en = await browser.newContext({ locale: 'en-US', timezoneId: 'America/New_York' })
    const enPage = await en.newPage()
    try {
      await signUp(enPage, stack.app.baseURL, { name: 'Storage Outage' })
      await backupsReady(enPage)
      await stack.aws.stop()
      await enPage.getByTestId('backup-create').click()
      const alert = enPage.getByTestId('backup-error')
      await expect(alert).toContainText('Backup storage unavailable', { timeout: 30_000 })
      // fauxqs is S3 and SNS at once: with it down the team could not be told, and the text says so.
      await expect(alert.getByTestId('problem-text')).toHaveText('We could not reach the backup storage, and we could not alert our team automatically either. Please try again later; if it keeps failing, contact support.')
      // The failed attempt is listed as failed, with why.
      await expect(enPage.getByTestId('backup-row').first().getByTestId('backup-status')).toHaveText(/Failed: storage did not respond/)
    }
    finally { await en.close() }

    const dialog = await openRestore(backupId)
    const alert = problemIn(dialog, 'restore-error')
    await expect(alert).toContainText('Armazenamento indisponível', { timeout: 30_000 })
    await expect(alert.getByTestId('problem-text')).toHaveText('Não conseguimos acessar o armazenamento de backups, nem avisar nossa equipe automaticamente. Tente novamente mais tarde; se continuar falhando, fale com o suporte.')
    expect(await seriousA11yViolations(page)).toEqual([])
    await screenshot(page, 'backups-pt-BR-restore-error')
  })
})
