import { eq } from 'drizzle-orm'
import { categories } from '../../db/schema'

/**
 * A user's categories as a tree (id → name and parent), read in one query: a user has tens or
 * hundreds of categories, never enough to need a recursive query (which MariaDB and MySQL 8 also
 * spell alike, but the tree is needed whole for the paths anyway). Cycle-safe: a parent chain that
 * loops (possible through a restored file) stops at the first repeated id.
 */
export interface CategoryTree {
  /** The category and all of its descendants (children, grandchildren…). */
  withDescendants(id: number): number[]
  /** Names from the root down to the category: ["Food", "Restaurants"]. */
  path(id: number): string[]
}

export async function loadCategoryTree(userId: number): Promise<CategoryTree> {
  const rows = await useDb().select({ id: categories.id, name: categories.name, parentId: categories.parentId }).from(categories).where(eq(categories.userId, userId))
  const byId = new Map(rows.map(r => [r.id, r]))
  const children = new Map<number, number[]>()
  for (const r of rows) if (r.parentId != null) children.set(r.parentId, [...(children.get(r.parentId) ?? []), r.id])
  return {
    withDescendants(id) {
      const seen = new Set<number>([id])
      const queue = [id]
      while (queue.length) for (const child of children.get(queue.shift()!) ?? []) if (!seen.has(child)) { seen.add(child); queue.push(child) }
      return [...seen]
    },
    path(id) {
      const names: string[] = []
      const seen = new Set<number>()
      for (let at = byId.get(id); at && !seen.has(at.id); at = at.parentId == null ? undefined : byId.get(at.parentId)) {
        seen.add(at.id)
        names.unshift(at.name)
      }
      return names
    },
  }
}
