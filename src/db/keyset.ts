import { and, asc, desc, eq, gt, isNull, lt, or, type AnyColumn, type SQL } from 'drizzle-orm'

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

/** WHERE for "rows after (value, lastId)" in the order `keysetOrderBy` produces. */
export function keysetAfter (order: KeysetOrder, id: AnyColumn, value: CursorValue, lastId: string): SQL {
  const past = order.direction === 'asc' ? gt : lt
  const idPast = past(id, lastId)
  if (value === null) return and(isNull(order.column), idPast) as SQL
  const after = or(past(order.column, value), and(eq(order.column, value), idPast)) as SQL
  return order.nullable === true ? or(after, isNull(order.column)) as SQL : after
}
