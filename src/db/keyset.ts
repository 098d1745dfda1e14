import { and, asc, desc, isNull, or, sql, type AnyColumn, type Placeholder, type SQL } from 'drizzle-orm'

/** A sort value stored in a cursor. */
export type CursorValue = string | number | null

export interface KeysetOrder {
  column: AnyColumn
  direction: 'asc' | 'desc'
  /**
   * The column may be NULL. Only descending nullable sorts exist, and SQLite already
   * puts NULLs last in DESC order, so the ORDER BY stays index-friendly.
   */
  nullable?: boolean
}

/** ORDER BY for a keyset: the given column, then id in the same direction for a total order. */
export function keysetOrderBy (order: KeysetOrder, id: AnyColumn): SQL[] {
  const dir = order.direction === 'asc' ? asc : desc
  return [dir(order.column), dir(id)]
}

/**
 * WHERE for "rows after (value, lastId)" in the order `keysetOrderBy` produces. A row-value
 * comparison, `(col, id) < (?, ?)`, lets SQLite seek the index straight to the cursor, so a
 * page deep in the list costs what the first does; the equivalent `a < ? OR (a = ? AND …)`
 * made it scan from the top (measured by the benchmark).
 */
export function keysetAfter (order: KeysetOrder, id: AnyColumn, value: CursorValue | Placeholder, lastId: string | Placeholder): SQL {
  const op = sql.raw(order.direction === 'asc' ? '>' : '<')
  if (value === null) return and(isNull(order.column), sql`${id} ${op} ${lastId}`) as SQL
  const after = sql`(${order.column}, ${id}) ${op} (${value}, ${lastId})`
  return order.nullable === true ? or(after, isNull(order.column)) as SQL : after
}
