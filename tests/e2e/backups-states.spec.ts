import { randomUUID } from 'node:crypto'
import { DeleteObjectCommand } from '@aws-sdk/client-s3'
import { expect as baseExpect, test, type Page } from '@playwright/test'
import { connect } from '../support/data'
import { s3Client } from '../support/mutate'
import { apiAs, backupsReady, open, screenshot, seriousA11yViolations, signUp } from '../support/e2e-helpers'

// The backup list in every state a person meets — running, failed, invalid (found so by a restore
// or a download), safety backups that say which restore they preceded, two backups of the same
// minute — in both themes and on a phone; several deleted at once; a note; a failed download that
// stays on the screen. Screenshots of each state go to test-results/screens.

const base = () => process.env.COFRE_E2E_BASE_URL!
const expect = baseExpect.configure({ timeout: 15_000 })
const sql = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '')
const rowOf = (page: Page, id: string) => page.locator(`[data-testid="backup-row"][data-backup-id="${id}"]`)

/** Catalogue rows in each state (no objects needed to show them), for the signed-in user. */
async function seedStates(page: Page) {
  const me = await apiAs(page, base(), 'GET', '/api/auth/session')
  const real = await apiAs(page, base(), 'POST', '/api/backup')
  const ids = { running: randomUUID(), failed: randomUUID(), invalid: randomUUID(), safety: randomUUID(), sameA: randomUUID(), sameB: randomUUID() }
  const now = Date.now()
  const counts = JSON.stringify({ accounts: 3, categories: 12, transactions: 200000, preferences: 1 })
  const row = (id: string, status: string, kind: string, at: Date, extra: { error?: string, restoreOf?: string, restoredAt?: Date, note?: string } = {}) =>
    [id, me.id, `s3://cofre-test/users/${me.id}/backups/${id}.jsonl.gz`, status, kind, status === 'completed' || status === 'invalid' ? 4_812_345 : null, status === 'completed' || status === 'invalid' ? 'c'.repeat(64) : null, 1, 1,
      status === 'completed' || status === 'invalid' ? counts : null, extra.error ?? null, extra.note ?? null, extra.restoreOf ?? null, extra.restoredAt ? sql(extra.restoredAt) : null, sql(at), status === 'running' ? null : sql(at)]
  const conn = await connect(process.env.COFRE_E2E_DATABASE_URL!)
  try {
    await conn.query('INSERT INTO backups (id, user_id, url, status, kind, size_bytes, sha256, format_version, schema_version, row_counts, error_code, note, restore_of, restored_at, created_at, completed_at) VALUES ?', [[
      row(ids.running, 'running', 'manual', new Date(now - 5_000)),
      row(ids.safety, 'completed', 'pre-restore', new Date(now - 60_000), { restoreOf: real.backup_id, restoredAt: new Date(now - 30_000) }),
      row(ids.failed, 'failed', 'manual', new Date(now - 3_600_000), { error: 'STORAGE_ERROR' }),
      row(ids.invalid, 'invalid', 'manual', new Date(now - 7_200_000), { error: 'checksum_mismatch' }),
      // Two backups of the same minute: only seconds (and a note) tell them apart.
      row(ids.sameA, 'completed', 'manual', new Date('2026-03-10T14:05:09Z')),
      row(ids.sameB, 'completed', 'manual', new Date('2026-03-10T14:05:41Z'), { note: 'antes de importar o extrato' }),
    ]])
  }
  finally { await conn.end() }
  return { ...ids, real: real.backup_id as string, realCreatedAt: real.created_at as string, userId: me.id as number }
}

test.describe('every state of the list, pt-BR', () => {
  test.use({ locale: 'pt-BR', timezoneId: 'America/Sao_Paulo' })
  test.describe.configure({ timeout: 150_000 })

  test('states, seconds, notes, safety origin, counts, axe in both themes, phone cards, bulk delete', async ({ page }) => {
    await signUp(page, base(), { name: 'Estela Estados' })
    await backupsReady(page)
    const ids = await seedStates(page)
    await open(page, `${base()}/backups`)
    await backupsReady(page)

    // Running, failed, invalid: each says so; the invalid one why, with only delete (and note, details) offered.
    await expect(rowOf(page, ids.running).getByTestId('backup-status')).toHaveText('Em andamento')
    await expect(rowOf(page, ids.failed).getByTestId('backup-status')).toHaveText('Falhou: o armazenamento não respondeu')
    const invalid = rowOf(page, ids.invalid)
    await expect(invalid.getByTestId('backup-status')).toHaveText('Inválido')
    await expect(invalid.getByTestId('backup-invalid-reason')).toContainText('impressão digital (SHA-256) não confere')
    await expect(invalid.getByTestId('backup-download')).toHaveCount(0)
    await expect(invalid.getByTestId('backup-restore')).toHaveCount(0)
    await expect(invalid.getByTestId('backup-delete')).toBeEnabled()

    // Counts in the locale's format.
    await expect(rowOf(page, ids.safety).getByTestId('backup-contents')).toHaveText('3 contas, 12 categorias e 200.000 transações')

    // The safety backup says, in plain sight, which restore it preceded and that it was undone to.
    const realDate = new Intl.DateTimeFormat('pt-BR', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'America/Sao_Paulo' }).format(new Date(ids.realCreatedAt))
    const origin = rowOf(page, ids.safety).getByTestId('backup-origin')
    await expect(origin.first()).toHaveText(`Feito antes de restaurar o backup de ${realDate}. Restaure-o para desfazer aquela restauração.`)
    await expect(origin.nth(1)).toContainText(': aquela restauração foi desfeita.')

    // Same minute → seconds shown; the note shown; every button's accessible name differs.
    await expect(rowOf(page, ids.sameA).getByTestId('backup-date')).toHaveText('10 de mar. de 2026, 11:05:09')
    await expect(rowOf(page, ids.sameB).getByTestId('backup-date')).toHaveText('10 de mar. de 2026, 11:05:41')
    await expect(rowOf(page, ids.sameB).getByTestId('backup-note')).toHaveText('antes de importar o extrato')
    await expect(rowOf(page, ids.sameB).getByTestId('backup-restore')).toHaveAccessibleName('Restaurar o backup de 10 de mar. de 2026, 11:05:41 — “antes de importar o extrato”')
    for (const testId of ['backup-restore', 'backup-download', 'backup-delete', 'backup-details-toggle', 'backup-select']) {
      const names = await page.getByTestId(testId).evaluateAll(els => els.map(e => e.getAttribute('aria-label') ?? e.querySelector('input')?.getAttribute('aria-label')))
      expect(new Set(names).size, testId).toBe(names.length)
    }
    // The restore dialog names the backup the same way.
    await rowOf(page, ids.sameA).getByTestId('backup-restore').click()
    await expect(page.getByTestId('restore-replace')).toContainText('dados de 10 de mar. de 2026, 11:05:09:')
    await page.getByTestId('restore-cancel').click()

    // Light and dark: no serious accessibility problem in any state (the red "failed" included).
    expect(await seriousA11yViolations(page)).toEqual([])
    await screenshot(page, 'backups-states-pt-BR-light')
    await page.getByTestId('theme-toggle').click()
    await expect(page.locator('.v-application')).toHaveClass(/v-theme--dark/)
    expect(await seriousA11yViolations(page)).toEqual([])
    await screenshot(page, 'backups-states-pt-BR-dark')

    // Stronger focus ring: a 3 px outline on the focused control.
    await rowOf(page, ids.sameA).getByTestId('backup-details-toggle').focus()
    await page.keyboard.press('Shift+Tab')
    await page.keyboard.press('Tab')
    const outline = await page.evaluate(() => { const s = getComputedStyle(document.activeElement!); return { style: s.outlineStyle, width: Number.parseFloat(s.outlineWidth) } })
    expect(outline.style).toBe('solid')
    expect(outline.width).toBeGreaterThanOrEqual(3)

    // Phone: compact cards (no repeated label column), every control at least 44 px square.
    await page.setViewportSize({ width: 390, height: 844 })
    await open(page, `${base()}/backups`)
    await backupsReady(page)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    // Before: every card about a third of the screen (272 px), a label column on each line. Now a
    // plain backup takes under a fifth; one that explains itself (safety, invalid) under 0.3.
    for (const r of await page.getByTestId('backup-row').all()) {
      const box = (await r.boundingBox())!
      const explains = await r.locator('[data-testid="backup-origin"], [data-testid="backup-invalid-reason"]').count()
      expect(box.height, await r.getAttribute('data-backup-id') ?? '').toBeLessThan(explains ? 844 * 0.3 : 844 / 5)
    }
    const labels = await page.locator('.backup-table td').evaluateAll(tds => tds.filter(td => !['none', 'normal', ''].includes(getComputedStyle(td, '::before').content)).length)
    expect(labels).toBe(0)
    const small = await page.locator('.backup-table button:visible, .backup-table .v-selection-control__input').evaluateAll(els => els
      .filter(e => (e as HTMLElement).offsetParent !== null)
      .map(e => e.getBoundingClientRect())
      .filter(r => r.width < 44 || r.height < 44).map(r => `${r.width}x${r.height}`))
    expect(small).toEqual([])
    expect(await seriousA11yViolations(page)).toEqual([])
    await screenshot(page, 'backups-states-pt-BR-dark-phone')
    await page.getByTestId('theme-toggle').click()
    expect(await seriousA11yViolations(page)).toEqual([])
    await screenshot(page, 'backups-states-pt-BR-light-phone')
    await page.setViewportSize({ width: 1280, height: 900 })
    await open(page, `${base()}/backups`)
    await backupsReady(page)

    // A note, given from the list.
    await rowOf(page, ids.sameA).getByTestId('backup-note-edit').click()
    await page.getByTestId('note-input').locator('input').fill('  fechamento de março 💜 ')
    await page.getByTestId('note-save').click()
    await expect(page.getByTestId('notice')).toHaveText('Nota salva')
    await expect(rowOf(page, ids.sameA).getByTestId('backup-note')).toHaveText('fechamento de março 💜')

    // Several at once: a confirmation naming how many, and a clear result when one fails.
    for (const id of [ids.sameA, ids.sameB, ids.failed]) await rowOf(page, id).getByTestId('backup-select').locator('input').check()
    await expect(page.getByTestId('bulk-delete')).toHaveText('Excluir selecionados (3)')
    await page.getByTestId('bulk-delete').click()
    const dialog = page.getByTestId('bulk-confirm-dialog')
    await expect(dialog).toContainText('Excluir 3 backups?')
    await expect(dialog).toContainText('3 backups serão excluídos permanentemente')
    // Meanwhile one of them starts running elsewhere: the server refuses that one (409).
    const conn = await connect(process.env.COFRE_E2E_DATABASE_URL!)
    try {
      await conn.query('UPDATE backups SET status = \'running\' WHERE id = ?', [ids.failed])
      await dialog.getByTestId('confirm-delete').click()
      await expect(dialog.getByTestId('confirm-error')).toHaveText(/^2 excluídos; 1 não puderam ser excluídos e continuam selecionados: Outra operação em andamento\./)
      await expect(rowOf(page, ids.sameA)).toHaveCount(0)
      await expect(rowOf(page, ids.sameB)).toHaveCount(0)
      await conn.query('UPDATE backups SET status = \'failed\' WHERE id = ?', [ids.failed])
    }
    finally { await conn.end() }
    await dialog.getByTestId('confirm-cancel').click()
    await expect(page.getByTestId('bulk-delete')).toHaveText('Excluir selecionados (1)')
    await page.getByTestId('bulk-delete').click()
    await dialog.getByTestId('confirm-delete').click()
    await expect(page.getByTestId('notice')).toHaveText('1 backup excluído')
    await expect(rowOf(page, ids.failed)).toHaveCount(0)
    await expect(page.getByTestId('bulk-bar')).toHaveCount(0)
  })

  test('a download whose object is gone stays on the screen, in words, and the row turns invalid; the file name is in local time', async ({ page }) => {
    await signUp(page, base(), { name: 'Davi Download' })
    await backupsReady(page)
    await page.getByTestId('backup-create').click()
    await expect(page.getByTestId('notice')).toHaveText('Backup criado')
    const first = page.getByTestId('backup-row').first()
    const id = (await first.getAttribute('data-backup-id'))!
    const me = await apiAs(page, base(), 'GET', '/api/auth/session')
    const created = (await apiAs(page, base(), 'GET', `/api/backups/${id}`)).created_at as string
    const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: 'America/Sao_Paulo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(created)).map(x => [x.type, x.value]))
    await first.getByTestId('backup-details-toggle').click()
    // Named as the list shows its time, with its format's extension (format 2: zstd).
    await expect(page.getByTestId('backup-filename')).toHaveText(`cofre-backup-${p.year}-${p.month}-${p.day}_${p.hour}-${p.minute}-${p.second}.jsonl.zst`)

    await s3Client(process.env.COFRE_E2E_S3_ENDPOINT!).send(new DeleteObjectCommand({ Bucket: process.env.COFRE_E2E_S3_BUCKET!, Key: `users/${me.id}/backups/${id}.jsonl.gz` }))
    await first.getByTestId('backup-download').click()
    const alert = page.getByTestId('backup-error')
    await expect(alert).toContainText('Backup inválido')
    await expect(alert.getByTestId('problem-text')).toHaveText('O arquivo deste backup não existe mais no armazenamento. Nada foi alterado nos seus dados.')
    await expect(page).toHaveURL(/\/backups$/)
    await expect(rowOf(page, id)).toHaveAttribute('data-status', 'invalid')
    await expect(rowOf(page, id).getByTestId('backup-download')).toHaveCount(0)
    await screenshot(page, 'backups-pt-BR-download-missing')
  })
})

test.describe('creating, on a phone, in English', () => {
  test.use({ locale: 'en-US', timezoneId: 'America/New_York', viewport: { width: 390, height: 844 } })

  test('no "No backups yet" while the first backup is made; the success message covers no row\'s buttons', async ({ page }) => {
    await signUp(page, base(), { name: 'Phone Person' })
    await backupsReady(page)
    await expect(page.getByTestId('backups-empty')).toBeVisible()
    // The request is held until the running state has been checked.
    let release!: () => void
    const held = new Promise<void>((resolve) => { release = resolve })
    await page.route('**/api/backup', async (route) => { await held; await route.continue() }, { times: 1 })
    await page.getByTestId('backup-create').click()
    await expect(page.getByTestId('job-progress')).toBeVisible()
    await expect(page.getByTestId('backups-empty')).toHaveCount(0)
    release()
    await expect(page.getByTestId('notice')).toHaveText('Backup created')

    // A list longer than the screen, then a new backup: its message must leave every row usable,
    // the last ones included, once scrolled to the end.
    const me = await apiAs(page, base(), 'GET', '/api/auth/session')
    const conn = await connect(process.env.COFRE_E2E_DATABASE_URL!)
    try {
      const rows = Array.from({ length: 6 }, (_, i) => {
        const id = randomUUID()
        const at = sql(new Date(Date.now() - (i + 1) * 86_400_000))
        return [id, me.id, `s3://x/users/${me.id}/backups/${id}.jsonl.gz`, 'completed', 'manual', 1000, 'd'.repeat(64), 1, 1, JSON.stringify({ accounts: 1, categories: 0, transactions: i }), at, at]
      })
      await conn.query('INSERT INTO backups (id, user_id, url, status, kind, size_bytes, sha256, format_version, schema_version, row_counts, created_at, completed_at) VALUES ?', [rows])
    }
    finally { await conn.end() }
    await open(page, `${base()}/backups`)
    await backupsReady(page)
    await page.getByTestId('backup-create').click()
    await expect(page.getByTestId('notice')).toHaveText('Backup created')
    await expect(page.getByTestId('backup-row')).toHaveCount(8)
    await screenshot(page, 'backups-en-light-phone-created')
    // Each of the last rows' buttons, scrolled up from below until it just shows, is clickable.
    for (const button of await page.locator('[data-testid="backup-row"]:nth-last-child(-n+2) button').all()) {
      const hit = await button.evaluate((el) => {
        el.scrollIntoView({ block: 'end' })
        const r = el.getBoundingClientRect()
        const at = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)
        return !!at && el.contains(at)
      })
      expect(hit, await button.getAttribute('aria-label') ?? '').toBe(true)
    }
  })
})
