import { randomUUID } from 'node:crypto'
import { expect as baseExpect, test } from '@playwright/test'
import { connect } from '../support/data'
import { apiAs, backupsReady, open, signUp } from '../support/e2e-helpers'

// A user with more backups than one page: the server renders the first page, "load more" walks
// the API's cursor until the last row, never showing a row twice.

const base = () => process.env.COFRE_E2E_BASE_URL!
const expect = baseExpect.configure({ timeout: 15_000 })

test.describe('a long backup list, in pages', () => {
  test.use({ locale: 'pt-BR', timezoneId: 'America/Sao_Paulo' })

  test('the first 20 are in the server\'s HTML; "Carregar mais backups" brings the rest, then disappears', async ({ page }) => {
    await signUp(page, base(), { name: 'Paula Paginação' })
    await backupsReady(page)
    const me = await apiAs(page, base(), 'GET', '/api/auth/session')
    const conn = await connect(process.env.COFRE_E2E_DATABASE_URL!)
    const ids: string[] = []
    try {
      // 45 rows, three to a timestamp, so pages end in the middle of a tie.
      const start = Date.now() - 60_000
      const rows = Array.from({ length: 45 }, (_, i) => {
        const id = randomUUID()
        ids.push(id)
        const at = new Date(start - Math.floor(i / 3) * 1000).toISOString().replace('T', ' ').replace('Z', '')
        return [id, me.id, `s3://cofre-test/users/${me.id}/backups/${id}.jsonl.gz`, 'completed', 'manual', 1000 + i, 'b'.repeat(64), 1, 1, JSON.stringify({ accounts: 1, categories: 0, transactions: i }), at, at]
      })
      await conn.query('INSERT INTO backups (id, user_id, url, status, kind, size_bytes, sha256, format_version, schema_version, row_counts, created_at, completed_at) VALUES ?', [rows])
    }
    finally { await conn.end() }

    await open(page, `${base()}/backups`)
    await backupsReady(page)
    const rows = page.getByTestId('backup-row')
    await expect(rows).toHaveCount(20)
    await expect(page.getByTestId('backups-shown')).toHaveText('20 backups exibidos')
    const more = page.getByTestId('backups-load-more')
    await expect(more).toHaveText('Carregar mais backups')
    await more.click()
    await expect(rows).toHaveCount(40)
    await expect(page.getByTestId('backups-shown')).toHaveText('40 backups exibidos')
    await more.click()
    await expect(rows).toHaveCount(45)
    await expect(page.getByTestId('backups-more')).toBeHidden()
    const shown = await rows.evaluateAll(els => els.map(e => e.getAttribute('data-backup-id')))
    expect(new Set(shown).size).toBe(45)
    expect([...shown].sort()).toEqual([...ids].sort())

    // A delete refreshes from the top and keeps as many rows on screen.
    await rows.nth(30).getByTestId('backup-delete').click()
    await page.getByTestId('confirm-delete').click()
    await expect(page.getByTestId('notice')).toHaveText('Backup excluído')
    await expect(rows).toHaveCount(44)
  })
})
