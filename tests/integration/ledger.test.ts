// The ledger API over HTTP against the real server and MariaDB: CRUD, lists, validation,
// exact decimals, ownership (another user's ids are 404 and cannot be referenced), and 401s.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { http, newUser, type TestUser } from '../support/api'

const base = () => inject('stack').baseURL
const as = (user: TestUser) => ({
  get: (path: string) => http(base(), 'GET', path, { token: user.accessToken }),
  post: (path: string, body: unknown) => http(base(), 'POST', path, { token: user.accessToken, body }),
  patch: (path: string, body: unknown) => http(base(), 'PATCH', path, { token: user.accessToken, body }),
  del: (path: string) => http(base(), 'DELETE', path, { token: user.accessToken }),
  raw: (method: string, path: string, rawBody: string) => http(base(), method, path, { token: user.accessToken, rawBody }),
})

async function created(res: { status: number, body: any }) {
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

describe('accounts', () => {
  it('creates, reads, lists, updates and deletes, keeping money as exact strings', async () => {
    const api = as(await newUser(base(), 'acc'))
    const acc = await created(await api.post('/api/accounts', { name: 'Conta Itaú 🏦', currency: 'brl', openingBalance: '-1234567890.12' }))
    expect(acc).toMatchObject({ name: 'Conta Itaú 🏦', currency: 'BRL', openingBalance: '-1234567890.12' })
    expect(acc.userId).toBeUndefined()
    expect(typeof acc.id).toBe('number')

    expect((await api.get(`/api/accounts/${acc.id}`)).body).toEqual(acc)

    const upd = await api.patch(`/api/accounts/${acc.id}`, { openingBalance: '0.1', name: 'Poupança' })
    expect(upd.status).toBe(200)
    expect(upd.body).toMatchObject({ id: acc.id, name: 'Poupança', currency: 'BRL', openingBalance: '0.10' })
    expect(upd.body.updatedAt >= acc.updatedAt).toBe(true)

    const list = await api.get('/api/accounts')
    expect(list.status).toBe(200)
    expect(list.body).toMatchObject({ total: 1, page: 1, pageSize: 25 })
    expect(list.body.items).toEqual([upd.body])

    const del = await api.del(`/api/accounts/${acc.id}`)
    expect(del.status).toBe(204)
    expect((await api.get(`/api/accounts/${acc.id}`)).status).toBe(404)
    expect((await api.del(`/api/accounts/${acc.id}`)).status).toBe(404)
  })

  it('refuses to delete an account that has transactions (422 naming id), and allows it once they are gone', async () => {
    const api = as(await newUser(base(), 'accdel'))
    const acc = await created(await api.post('/api/accounts', { name: 'A', currency: 'USD' }))
    const tx = await created(await api.post('/api/transactions', { accountId: acc.id, amount: '5', date: '2024-01-01', description: 'x' }))
    const res = await api.del(`/api/accounts/${acc.id}`)
    expect(res.status).toBe(422)
    expect(res.body.data).toEqual({ code: 'VALIDATION_FAILED', fields: { id: 'validation_ledger.accountHasTransactions' } })
    expect((await api.del(`/api/transactions/${tx.id}`)).status).toBe(204)
    expect((await api.del(`/api/accounts/${acc.id}`)).status).toBe(204)
  })

  it('updates updated_at on every change', async () => {
    const api = as(await newUser(base(), 'accts'))
    const acc = await created(await api.post('/api/accounts', { name: 'A', currency: 'EUR' }))
    await new Promise(r => setTimeout(r, 20))
    const upd = (await api.patch(`/api/accounts/${acc.id}`, { name: 'B' })).body
    expect(upd.updatedAt > acc.updatedAt).toBe(true)
    expect(upd.createdAt).toBe(acc.createdAt)
  })
})

describe('validation', () => {
  let api: ReturnType<typeof as>
  let accountId: number
  beforeAll(async () => {
    api = as(await newUser(base(), 'val'))
    accountId = (await created(await api.post('/api/accounts', { name: 'V', currency: 'BRL' }))).id
  })

  it('answers 422 VALIDATION_FAILED with field errors (i18n keys) and a translated message', async () => {
    const bad = await api.post('/api/accounts', { name: '', currency: 'REAL', openingBalance: 12.5 })
    expect(bad.status).toBe(422)
    expect(bad.body.data.code).toBe('VALIDATION_FAILED')
    expect(bad.body.data.fields).toEqual({ name: 'validation.required', currency: 'validation_ledger.currency', openingBalance: 'validation_ledger.amount' })

    const tx = await api.post('/api/transactions', { accountId, amount: '1.234', date: '2023-02-29', description: '', tags: ['x'.repeat(41)] })
    expect(tx.status).toBe(422)
    expect(tx.body.data.fields).toEqual({ 'amount': 'validation_ledger.amount', 'date': 'validation_ledger.date', 'description': 'validation.required', 'tags.0': 'validation_ledger.tag' })
  })

  it.each([
    ['/api/accounts', 'POST', { name: 'A', currency: 'BRL', userId: 999 }],
    ['/api/accounts', 'POST', { name: 'A', currency: 'BRL', user_id: 999 }],
    ['/api/categories', 'POST', { name: 'C', kind: 'expense', id: 5 }],
    ['/api/transactions', 'POST', { accountId: 1, amount: '1', date: '2024-01-01', description: 'd', createdAt: '2000-01-01 00:00:00' }],
    ['/api/preferences', 'PATCH', { theme: 'dark', userId: 1 }],
  ])('refuses unknown fields on %s %s (mass assignment) with 422', async (path, method, body) => {
    const res = method === 'POST' ? await api.post(path, body) : await api.patch(path, body)
    expect(res.status).toBe(422)
    expect(res.body.data.code).toBe('VALIDATION_FAILED')
    expect(res.body.data.fields._).toBe('validation_ledger.unknownField')
  })

  it('refuses unknown fields on PATCH of an existing row without changing it', async () => {
    const res = await api.patch(`/api/accounts/${accountId}`, { name: 'Hacked', user_id: 1 })
    expect(res.status).toBe(422)
    expect((await api.get(`/api/accounts/${accountId}`)).body.name).toBe('V')
  })

  it.each(['abc', '0', '-1', '1.5', '1e3', '01', '99999999999999999999'])('answers 422 VALIDATION_FAILED (as for bodies and queries) for the malformed id %j', async (id) => {
    for (const res of [
      await api.get(`/api/accounts/${id}`),
      await api.patch(`/api/categories/${id}`, { name: 'x' }),
      await api.del(`/api/transactions/${id}`),
    ]) {
      expect(res.status).toBe(422)
      expect(res.body.data.code).toBe('VALIDATION_FAILED')
      expect(Object.keys(res.body.data.fields)).toEqual(['id'])
    }
  })

  it('answers 400 for malformed JSON and 422 for bad list queries', async () => {
    const raw = await api.raw('POST', '/api/accounts', '{"name":')
    expect(raw.status).toBe(400)
    expect(raw.body.data.code).toBe('BAD_REQUEST')
    const q = await api.get('/api/transactions?pageSize=500')
    expect(q.status).toBe(422)
    expect(q.body.data.fields).toHaveProperty('pageSize')
    expect((await api.get('/api/transactions?from=2024-02-30')).status).toBe(422)
    expect((await api.get('/api/transactions?sortBy=user_id')).status).toBe(422)
  })
})

describe('decimals, dates, Unicode and JSON survive exactly', () => {
  it('stores and returns the amounts, notes and tags as sent', async () => {
    const api = as(await newUser(base(), 'dec'))
    const acc = await created(await api.post('/api/accounts', { name: 'D', currency: 'BRL', openingBalance: '999999999999.99' }))
    const amounts = ['-1234567890.12', '0.10', '0.01', '-0.01', '999999999999.99', '-999999999999.99', '100']
    for (const amount of amounts) {
      const tx = await created(await api.post('/api/transactions', {
        accountId: acc.id, amount, date: '2024-02-29', description: 'Café ☕ — Açougue', notes: 'linha 1\nlinha 2 \'"\\ 😀', tags: ['família', '🎉'],
      }))
      expect(tx.amount).toBe(amount === '100' ? '100.00' : amount)
      expect(tx.date).toBe('2024-02-29')
      expect(tx.notes).toBe('linha 1\nlinha 2 \'"\\ 😀')
      expect(tx.tags).toEqual(['família', '🎉'])
      expect(tx.description).toBe('Café ☕ — Açougue')
      expect((await api.get(`/api/transactions/${tx.id}`)).body).toEqual(tx)
    }
    const tx = await created(await api.post('/api/transactions', { accountId: acc.id, amount: '1', date: '1999-12-31', description: 'n' }))
    expect(tx).toMatchObject({ notes: null, tags: [], categoryId: null, categoryName: null, accountName: 'D', currency: 'BRL' })
  })
})

describe('categories', () => {
  it('CRUD with nesting; a category cannot be its own ancestor; deleting a parent lifts its children', async () => {
    const api = as(await newUser(base(), 'cat'))
    const food = await created(await api.post('/api/categories', { name: 'Alimentação', kind: 'expense' }))
    expect(food).toMatchObject({ name: 'Alimentação', kind: 'expense', parentId: null, parentName: null })
    const meat = await created(await api.post('/api/categories', { name: 'Açougue', kind: 'expense', parentId: food.id }))
    expect(meat).toMatchObject({ parentId: food.id, parentName: 'Alimentação' })
    const beef = await created(await api.post('/api/categories', { name: 'Picanha 🥩', kind: 'expense', parentId: meat.id }))

    for (const [id, parentId] of [[food.id, beef.id], [food.id, meat.id], [food.id, food.id], [meat.id, beef.id]]) {
      const res = await api.patch(`/api/categories/${id}`, { parentId })
      expect(res.status).toBe(422)
      expect(res.body.data.fields).toEqual({ parentId: 'validation_ledger.categoryCycle' })
    }
    const moved = await api.patch(`/api/categories/${beef.id}`, { parentId: food.id, name: 'Carnes' })
    expect(moved.status).toBe(200)
    expect(moved.body).toMatchObject({ name: 'Carnes', parentId: food.id, parentName: 'Alimentação' })
    expect((await api.patch(`/api/categories/${beef.id}`, { parentId: null })).body.parentId).toBeNull()
    expect((await api.patch(`/api/categories/${beef.id}`, { parentId: 987654321 })).body.data.fields).toEqual({ parentId: 'validation_ledger.categoryNotFound' })

    const acc = await created(await api.post('/api/accounts', { name: 'A', currency: 'BRL' }))
    const tx = await created(await api.post('/api/transactions', { accountId: acc.id, categoryId: meat.id, amount: '-10', date: '2024-01-01', description: 'x' }))
    expect(tx.categoryName).toBe('Açougue')

    const list = await api.get('/api/categories?sortBy=name')
    expect(list.body.total).toBe(3)
    expect(list.body.items.map((c: any) => c.name)).toEqual(['Açougue', 'Alimentação', 'Carnes'])
    expect((await api.get('/api/categories?kind=income')).body.total).toBe(0)

    expect((await api.del(`/api/categories/${food.id}`)).status).toBe(204)
    expect((await api.get(`/api/categories/${meat.id}`)).body).toMatchObject({ parentId: null, parentName: null })
    expect((await api.del(`/api/categories/${meat.id}`)).status).toBe(204)
    expect((await api.get(`/api/transactions/${tx.id}`)).body).toMatchObject({ categoryId: null, categoryName: null })
  })
})

describe('transactions: lists, pagination, filters', () => {
  let api: ReturnType<typeof as>
  let a1: number, a2: number, cat: number
  beforeAll(async () => {
    api = as(await newUser(base(), 'list'))
    a1 = (await created(await api.post('/api/accounts', { name: 'A1', currency: 'BRL', openingBalance: '100.00' }))).id
    a2 = (await created(await api.post('/api/accounts', { name: 'A2', currency: 'USD' }))).id
    cat = (await created(await api.post('/api/categories', { name: 'Salário', kind: 'income' }))).id
    // 30 transactions: days 1..30 of Jan 2024; even days on a1, odd on a2; every third one categorized.
    for (let d = 1; d <= 30; d++) {
      await created(await api.post('/api/transactions', {
        accountId: d % 2 ? a2 : a1, categoryId: d % 3 ? null : cat, amount: `${d}.0${d % 10}`, date: `2024-01-${String(d).padStart(2, '0')}`, description: `t${d}`,
      }))
    }
  })

  it('pages newest first with totals', async () => {
    const p1 = (await api.get('/api/transactions?pageSize=7')).body
    expect(p1).toMatchObject({ total: 30, page: 1, pageSize: 7 })
    expect(p1.items.map((t: any) => t.description)).toEqual(['t30', 't29', 't28', 't27', 't26', 't25', 't24'])
    const p5 = (await api.get('/api/transactions?pageSize=7&page=5')).body
    expect(p5.items.map((t: any) => t.description)).toEqual(['t2', 't1'])
    expect((await api.get('/api/transactions?pageSize=7&page=6')).body).toMatchObject({ items: [], total: 30 })
    const def = (await api.get('/api/transactions')).body
    expect(def.items).toHaveLength(25)
  })

  it('breaks ties on the same date by id, newest first', async () => {
    const u = as(await newUser(base(), 'tie'))
    const acc = (await created(await u.post('/api/accounts', { name: 'T', currency: 'BRL' }))).id
    const ids = []
    for (let i = 0; i < 3; i++) ids.push((await created(await u.post('/api/transactions', { accountId: acc, amount: '1', date: '2024-05-05', description: `s${i}` }))).id)
    expect((await u.get('/api/transactions')).body.items.map((t: any) => t.id)).toEqual(ids.reverse())
  })

  it('filters by account, category and an inclusive date range, combined', async () => {
    expect((await api.get(`/api/transactions?accountId=${a1}`)).body.total).toBe(15)
    expect((await api.get(`/api/transactions?categoryId=${cat}`)).body.total).toBe(10)
    expect((await api.get('/api/transactions?from=2024-01-10&to=2024-01-19')).body.total).toBe(10)
    const both = (await api.get(`/api/transactions?accountId=${a1}&categoryId=${cat}&from=2024-01-01&to=2024-01-15`)).body
    expect(both.items.map((t: any) => t.description)).toEqual(['t12', 't6'])
    expect(both.total).toBe(2)
  })

  it('sorts by amount ascending or descending', async () => {
    const asc = (await api.get('/api/transactions?sortBy=amount&pageSize=3')).body.items.map((t: any) => t.amount)
    expect(asc).toEqual(['1.01', '2.02', '3.03'])
    const desc = (await api.get('/api/transactions?sortBy=amount&sortDesc=true&pageSize=2')).body.items.map((t: any) => t.amount)
    expect(desc).toEqual(['30.00', '29.09'])
  })

  it('updates a transaction, moving it to another account and clearing its category', async () => {
    const t = (await api.get(`/api/transactions?categoryId=${cat}&pageSize=1`)).body.items[0]
    const upd = await api.patch(`/api/transactions/${t.id}`, { accountId: a1, categoryId: null, notes: 'moved', tags: ['a', 'b'] })
    expect(upd.status).toBe(200)
    expect(upd.body).toMatchObject({ id: t.id, accountId: a1, accountName: 'A1', categoryId: null, notes: 'moved', tags: ['a', 'b'], amount: t.amount, date: t.date })
    await api.patch(`/api/transactions/${t.id}`, { accountId: t.accountId, categoryId: cat, notes: null, tags: [] })
  })

  it('sums balances per account in SQL, as exact strings, with totals per currency', async () => {
    const s = (await api.get('/api/ledger/summary')).body
    // a1: 100.00 + even days (2.02+4.04+...+30.00); a2: odd days.
    const cents = (days: number[]) => days.reduce((sum, d) => sum + d * 100 + (d % 10), 0)
    const even = Array.from({ length: 15 }, (_, i) => 2 * (i + 1))
    const odd = even.map(d => d - 1)
    const fmt = (c: number) => `${Math.trunc(c / 100)}.${String(c % 100).padStart(2, '0')}`
    expect(s.accounts).toEqual([
      { id: a1, name: 'A1', currency: 'BRL', openingBalance: '100.00', balance: fmt(10000 + cents(even)), transactionCount: 15 },
      { id: a2, name: 'A2', currency: 'USD', openingBalance: '0.00', balance: fmt(cents(odd)), transactionCount: 15 },
    ])
    expect(s.totals).toEqual([{ currency: 'BRL', balance: fmt(10000 + cents(even)) }, { currency: 'USD', balance: fmt(cents(odd)) }])
  })

  it('keeps large sums exact', async () => {
    const u = as(await newUser(base(), 'big'))
    const acc = (await created(await u.post('/api/accounts', { name: 'Big', currency: 'BRL', openingBalance: '999999999999.99' }))).id
    for (let i = 0; i < 3; i++) await u.post('/api/transactions', { accountId: acc, amount: '999999999999.99', date: '2024-01-01', description: 'b' })
    await u.post('/api/transactions', { accountId: acc, amount: '0.01', date: '2024-01-01', description: 'c' })
    const s = (await u.get('/api/ledger/summary')).body
    expect(s.accounts[0].balance).toBe('3999999999999.97')
    expect(s.totals).toEqual([{ currency: 'BRL', balance: '3999999999999.97' }])
  })
})

describe('preferences', () => {
  it('reads the defaults and updates them', async () => {
    const api = as(await newUser(base(), 'pref'))
    expect((await api.get('/api/preferences')).body).toMatchObject({ locale: 'pt-BR', theme: 'system', defaultCurrency: 'BRL' })
    const upd = await api.patch('/api/preferences', { locale: 'en', theme: 'dark', defaultCurrency: 'usd' })
    expect(upd.status).toBe(200)
    expect(upd.body).toMatchObject({ locale: 'en', theme: 'dark', defaultCurrency: 'USD' })
    expect((await api.get('/api/preferences')).body).toEqual(upd.body)
    const bad = await api.patch('/api/preferences', { theme: 'neon', locale: 'fr' })
    expect(bad.status).toBe(422)
    expect(Object.keys(bad.body.data.fields).sort()).toEqual(['locale', 'theme'])
  })
})

describe('ownership: another user cannot see, change, delete or reference your rows', () => {
  let alice: ReturnType<typeof as>, bob: ReturnType<typeof as>
  let acc: any, cat: any, tx: any, bobAcc: any, bobCat: any
  beforeAll(async () => {
    alice = as(await newUser(base(), 'alice'))
    bob = as(await newUser(base(), 'bob'))
    acc = await created(await alice.post('/api/accounts', { name: 'Alice', currency: 'BRL', openingBalance: '10.00' }))
    cat = await created(await alice.post('/api/categories', { name: 'Alice cat', kind: 'expense' }))
    tx = await created(await alice.post('/api/transactions', { accountId: acc.id, categoryId: cat.id, amount: '-1.00', date: '2024-01-01', description: 'secret' }))
    bobAcc = await created(await bob.post('/api/accounts', { name: 'Bob', currency: 'BRL' }))
    bobCat = await created(await bob.post('/api/categories', { name: 'Bob cat', kind: 'expense' }))
  })

  it('answers 404 NOT_FOUND on GET, PATCH and DELETE of each of Alice\'s rows, and changes nothing', async () => {
    const targets: [string, unknown][] = [
      [`/api/accounts/${acc.id}`, { name: 'pwned' }],
      [`/api/categories/${cat.id}`, { name: 'pwned' }],
      [`/api/transactions/${tx.id}`, { description: 'pwned' }],
    ]
    for (const [path, body] of targets) {
      for (const res of [await bob.get(path), await bob.patch(path, body), await bob.del(path)]) {
        expect(res.status, path).toBe(404)
        expect(res.body.data.code).toBe('NOT_FOUND')
        expect(JSON.stringify(res.body)).not.toContain('Alice')
      }
    }
    expect((await alice.get(`/api/accounts/${acc.id}`)).body).toEqual(acc)
    expect((await alice.get(`/api/categories/${cat.id}`)).body).toEqual(cat)
    expect((await alice.get(`/api/transactions/${tx.id}`)).body).toEqual(tx)
  })

  it('answers the same 404 for an id that does not exist at all', async () => {
    const res = await bob.get('/api/accounts/987654321')
    expect(res.status).toBe(404)
    expect(res.body.data.code).toBe('NOT_FOUND')
  })

  it('refuses Alice\'s account or category in Bob\'s transaction and Alice\'s category as Bob\'s parent (422)', async () => {
    const t1 = await bob.post('/api/transactions', { accountId: acc.id, amount: '1', date: '2024-01-01', description: 'x' })
    expect(t1.status).toBe(422)
    expect(t1.body.data.fields).toEqual({ accountId: 'validation_ledger.accountNotFound' })
    const t2 = await bob.post('/api/transactions', { accountId: bobAcc.id, categoryId: cat.id, amount: '1', date: '2024-01-01', description: 'x' })
    expect(t2.body.data.fields).toEqual({ categoryId: 'validation_ledger.categoryNotFound' })

    const own = await created(await bob.post('/api/transactions', { accountId: bobAcc.id, amount: '1', date: '2024-01-01', description: 'x' }))
    const t3 = await bob.patch(`/api/transactions/${own.id}`, { accountId: acc.id })
    expect(t3.status).toBe(422)
    expect(t3.body.data.fields).toEqual({ accountId: 'validation_ledger.accountNotFound' })

    const c1 = await bob.post('/api/categories', { name: 'x', kind: 'expense', parentId: cat.id })
    expect(c1.status).toBe(422)
    expect(c1.body.data.fields).toEqual({ parentId: 'validation_ledger.categoryNotFound' })
    const c2 = await bob.patch(`/api/categories/${bobCat.id}`, { parentId: cat.id })
    expect(c2.body.data.fields).toEqual({ parentId: 'validation_ledger.categoryNotFound' })
  })

  it('lists, filters and sums only the caller\'s rows', async () => {
    expect((await bob.get('/api/accounts')).body.items.map((a: any) => a.name)).toEqual(['Bob'])
    expect((await bob.get('/api/categories')).body.items.map((c: any) => c.name)).toEqual(['Bob cat'])
    expect((await bob.get(`/api/transactions?accountId=${acc.id}`)).body).toMatchObject({ items: [], total: 0 })
    expect((await bob.get('/api/ledger/summary')).body.accounts.map((a: any) => a.name)).toEqual(['Bob'])
  })
})

describe('anonymous requests', () => {
  const routes: [string, string][] = [
    ['GET', '/api/accounts'], ['POST', '/api/accounts'], ['GET', '/api/accounts/1'], ['PATCH', '/api/accounts/1'], ['DELETE', '/api/accounts/1'],
    ['GET', '/api/categories'], ['POST', '/api/categories'], ['GET', '/api/categories/1'], ['PATCH', '/api/categories/1'], ['DELETE', '/api/categories/1'],
    ['GET', '/api/transactions'], ['POST', '/api/transactions'], ['GET', '/api/transactions/1'], ['PATCH', '/api/transactions/1'], ['DELETE', '/api/transactions/1'],
    ['GET', '/api/preferences'], ['PATCH', '/api/preferences'], ['GET', '/api/ledger/summary'],
  ]
  it.each(routes)('%s %s answers 401 UNAUTHENTICATED (also with a forged token)', async (method, path) => {
    const body = method === 'GET' || method === 'DELETE' ? undefined : { name: 'x' }
    for (const token of [undefined, 'not.a.jwt']) {
      const res = await http(base(), method, path, { token, body })
      expect(res.status).toBe(401)
      expect(res.body.data.code).toBe('UNAUTHENTICATED')
    }
  })
})
