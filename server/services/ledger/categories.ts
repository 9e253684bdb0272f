import { and, asc, count, desc, eq } from 'drizzle-orm'
import { alias } from 'drizzle-orm/mysql-core'
import type { CategoryCreate, CategoryDto, CategoryListQuery, CategoryUpdate, Page } from '#shared/schemas/ledger'
import { categories } from '../../db/schema'
import { loadCategoryTree } from './category-tree'
import { invalid, now, offsetOf } from './common'
import { withUserWrite } from './write-gate'

const parent = alias(categories, 'parent')
const columns = {
  id: categories.id,
  name: categories.name,
  kind: categories.kind,
  parentId: categories.parentId,
  parentName: parent.name,
  createdAt: categories.createdAt,
  updatedAt: categories.updatedAt,
}
const SORT = { name: categories.name, kind: categories.kind, createdAt: categories.createdAt }
const owned = (userId: number, id: number) => and(eq(categories.id, id), eq(categories.userId, userId))
const selectCategories = () => useDb().select(columns).from(categories)
  .leftJoin(parent, and(eq(parent.id, categories.parentId), eq(parent.userId, categories.userId)))

export async function listCategories(userId: number, q: CategoryListQuery): Promise<Page<CategoryDto>> {
  const dir = q.sortDesc ? desc : asc
  const where = and(eq(categories.userId, userId), q.kind ? eq(categories.kind, q.kind) : undefined)
  const [rows, [row], tree] = await Promise.all([
    selectCategories().where(where).orderBy(dir(SORT[q.sortBy ?? 'name']), dir(categories.id)).limit(q.pageSize).offset(offsetOf(q)),
    useDb().select({ total: count() }).from(categories).where(where),
    loadCategoryTree(userId),
  ])
  return { items: rows.map(c => ({ ...c, path: tree.path(c.id) })), total: row?.total ?? 0, page: q.page, pageSize: q.pageSize }
}

export async function getCategory(userId: number, id: number): Promise<CategoryDto> {
  const [row] = await selectCategories().where(owned(userId, id)).limit(1)
  if (!row) throw new AppError('NOT_FOUND')
  return { ...row, path: (await loadCategoryTree(userId)).path(id) }
}

async function assertParentOwned(userId: number, parentId: number) {
  const [row] = await useDb().select({ id: categories.id }).from(categories).where(owned(userId, parentId)).limit(1)
  if (!row) throw invalid({ parentId: 'validation_ledger.categoryNotFound' })
}

export async function createCategory(userId: number, input: CategoryCreate): Promise<CategoryDto> {
  // A new category has no children yet, so no parent can make a cycle.
  if (input.parentId !== null) await assertParentOwned(userId, input.parentId)
  const [res] = await withUserWrite(userId, tx => tx.insert(categories).values({ ...input, userId }))
  return getCategory(userId, res.insertId)
}

export async function updateCategory(userId: number, id: number, input: CategoryUpdate): Promise<CategoryDto> {
  await withUserWrite(userId, async (tx) => {
    // Locking the caller's categories serializes concurrent re-parenting, so two edits cannot
    // together close a loop that neither sees alone. A user has tens of categories, not millions.
    const rows = await tx.select({ id: categories.id, parentId: categories.parentId }).from(categories)
      .where(eq(categories.userId, userId)).for('update')
    const parentOf = new Map(rows.map(r => [r.id, r.parentId]))
    if (!parentOf.has(id)) throw new AppError('NOT_FOUND')
    if (input.parentId != null) {
      if (!parentOf.has(input.parentId)) throw invalid({ parentId: 'validation_ledger.categoryNotFound' })
      for (let at: number | null | undefined = input.parentId, hops = 0; at != null && hops <= rows.length; at = parentOf.get(at), hops++) {
        if (at === id) throw invalid({ parentId: 'validation_ledger.categoryCycle' })
      }
    }
    if (Object.keys(input).length) await tx.update(categories).set({ ...input, updatedAt: now() }).where(owned(userId, id))
  })
  return getCategory(userId, id)
}

/** Subcategories move to the top level and transactions become uncategorized (FKs: SET NULL). */
export async function deleteCategory(userId: number, id: number): Promise<void> {
  await getCategory(userId, id)
  await withUserWrite(userId, tx => tx.delete(categories).where(owned(userId, id)))
}
