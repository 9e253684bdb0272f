import { expect as baseExpect, test, type Page } from '@playwright/test'
import { seedUser } from '../../scripts/lib/seed.mjs'
import { connect } from '../support/data'
import { apiAs, backupsReady, open, PASSWORD, screenshot, seriousA11yViolations, signUp } from '../support/e2e-helpers'

// A backup and a restore long enough to watch (2,000,000 transactions: on a quiet machine a
// million backs up in about 4 s, too close to a reload and a click): the bar is determinate
// and advances, a reload picks the job up again, and Cancel stops it leaving nothing behind.

const base = () => process.env.COFRE_E2E_BASE_URL!
const expect = baseExpect.configure({ timeout: 60_000 })
const ROWS = 2_000_000

/** The job's percent as the bar shows it, once it is determinate. */
async function percentOf(page: Page, scope = page.getByTestId('page-job')): Promise<number> {
  const bar = scope.getByTestId('job-progress')
  await expect(bar).toHaveAttribute('data-percent', /\d+/)
  return Number(await bar.getAttribute('data-percent'))
}

test.describe('long jobs, followed live', () => {
  test.use({ locale: 'en-US', timezoneId: 'UTC' })
  test.describe.configure({ timeout: 420_000 })

  test('backup: a determinate bar that advances, survives a reload, and can be cancelled; then a restore likewise', async ({ page }) => {
    const { email } = await signUp(page, base(), { name: 'Paula Progress' })
    const seeded = await seedUser({ url: process.env.COFRE_E2E_DATABASE_URL!, email, password: PASSWORD, transactions: ROWS })
    expect(seeded.counts.transactions).toBe(ROWS)
    await open(page, `${base()}/backups`)
    await backupsReady(page)

    // ── backup ──
    await page.getByTestId('backup-create').click()
    const job = page.getByTestId('page-job')
    await expect(job).toBeVisible()
    const first = await percentOf(page)
    await expect(job.getByTestId('job-stage')).toHaveText('Reading your data')
    await expect.poll(() => percentOf(page), { timeout: 60_000 }).toBeGreaterThan(first)
    // The progress bar is a real progressbar with a value.
    await expect(job.getByRole('progressbar')).toHaveAttribute('aria-valuenow', /\d+/)
    // The list shows the running backup in place, with its percent.
    await expect(page.getByTestId('backup-row').first().getByTestId('backup-status')).toContainText('In progress')
    await screenshot(page, 'backups-en-job-progress')

    // A reload: the page follows the same job again.
    await page.reload()
    await backupsReady(page)
    await expect(job).toBeVisible()
    await expect.poll(() => percentOf(page)).toBeGreaterThanOrEqual(first)

    await job.getByTestId('job-cancel').click()
    await expect(page.getByTestId('notice')).toHaveText('Backup cancelled. Nothing was kept.')
    await expect(job).toBeHidden()
    expect(await seriousA11yViolations(page)).toEqual([])
    const list = await apiAs(page, base(), 'GET', '/api/backups')
    expect(list.items.map((b: any) => b.status)).toEqual(['cancelled'])

    // A whole backup to restore from.
    await page.getByTestId('backup-create').click()
    await expect(page.getByTestId('notice')).toHaveText('Backup created', { timeout: 180_000 })
    const backupId = (await apiAs(page, base(), 'GET', '/api/backups')).items.find((b: any) => b.status === 'completed').backup_id

    // ── restore ──
    const conn = await connect(process.env.COFRE_E2E_DATABASE_URL!)
    try {
      await conn.query('UPDATE transactions SET description = \'edited after the backup\' WHERE user_id = ? AND MOD(id, 100) = 0', [seeded.userId])
      const edited = async () => Number((await conn.query<any[]>('SELECT COUNT(*) AS n FROM transactions WHERE user_id = ? AND description = \'edited after the backup\'', [seeded.userId]))[0][0].n)
      const editedBefore = await edited()
      expect(editedBefore).toBeGreaterThan(0)

      await page.locator(`[data-testid="backup-row"][data-backup-id="${backupId}"]`).getByTestId('backup-restore').click()
      const dialog = page.getByTestId('restore-dialog')
      await dialog.getByTestId('restore-understand').click()
      await dialog.getByTestId('restore-confirm').click()
      await expect(dialog.getByTestId('job-progress')).toBeVisible()
      await expect(dialog.getByTestId('job-progress')).toHaveAttribute('data-percent', /\d+/)

      await page.reload()
      await backupsReady(page)
      await expect(job).toBeVisible()
      await expect(job.getByTestId('job-stage')).toHaveText(/Downloading the backup|Checking the backup|Taking a safety backup/)
      await percentOf(page)
      await job.getByTestId('job-cancel').click()
      await expect(page.getByTestId('notice')).toHaveText('Restore cancelled. Your data is exactly as it was.')
      // The data as it was, and no safety backup left behind.
      expect(await edited()).toBe(editedBefore)
      const kinds = (await apiAs(page, base(), 'GET', '/api/backups')).items.map((b: any) => b.kind)
      expect(kinds).not.toContain('pre-restore')
    }
    finally { await conn.end() }
  })
})
