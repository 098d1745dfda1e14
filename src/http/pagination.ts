/**
 * Keyset pagination. A cursor is the sort key of the last row served, base64url-encoded
 * JSON tagged with the sort it belongs to: opaque to clients, stable across inserts, and
 * a page deep in a list costs the same as the first (no OFFSET).
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { badRequest } from './problems.js'
import { wellFormedString } from './schemas.js'

export type { CursorValue } from '../db/keyset.js'
import type { CursorValue } from '../db/keyset.js'

export const limitParam = z.coerce.number().int().min(1).max(200).default(50)
  .describe('Page size, 1..200 (default 50)')
export const cursorParam = wellFormedString().min(1).max(2000).optional()
  .describe('Opaque cursor from the previous page\'s `nextCursor`; omit for the first page')

export function encodeCursor (sort: string, values: CursorValue[]): string {
  return Buffer.from(JSON.stringify({ s: sort, v: values })).toString('base64url')
}

const cursorShape = z.object({ s: z.string(), v: z.unknown() })

/**
 * The sort key inside `cursor`, checked against `values` (the key's shape for this sort);
 * 400 if it is not a cursor we issued or it belongs to another sort.
 */
export function decodeCursor<T> (cursor: string, sort: string, values: z.ZodType<T>): T {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    parsed = undefined
  }
  const outer = cursorShape.safeParse(parsed)
  const inner = values.safeParse(outer.data?.v)
  if (!outer.success || !inner.success) {
    throw badRequest('querystring/cursor is not a cursor this API issued', [{ path: '/cursor', message: 'invalid cursor' }])
  }
  if (outer.data.s !== sort) {
    throw badRequest(`querystring/cursor belongs to sort ${outer.data.s}, not ${sort}`,
      [{ path: '/cursor', message: 'cursor does not match sort' }])
  }
  return inner.data
}

export interface Page<T> { items: T[], nextCursor: string | null }

/**
 * Sets `Link: <…>; rel="next"` (RFC 8288) when there is a next page: the request's own
 * path and query with `cursor` replaced, so every filter carries over.
 */
export function linkNext (request: FastifyRequest, reply: FastifyReply, nextCursor: string | null): void {
  if (nextCursor === null) return
  const url = new URL(request.url, 'http://placeholder')
  url.searchParams.set('cursor', nextCursor)
  reply.header('link', `<${url.pathname}${url.search}>; rel="next"`)
}

/**
 * A page from `rows` fetched with `limit + 1`: the extra row only tells that more exist,
 * and the last served row's sort key becomes the next cursor.
 */
export function pageFrom<T> (rows: T[], limit: number, sort: string, key: (row: T) => CursorValue[]): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null }
  const items = rows.slice(0, limit)
  return { items, nextCursor: encodeCursor(sort, key(items[items.length - 1] as T)) }
}

/** For lists ordered by id (creation order): the id after which the next page starts. */
export function afterId (cursor: string | undefined): string | undefined {
  return cursor === undefined ? undefined : decodeCursor(cursor, 'id', z.tuple([z.uuid()]))[0]
}

export const idPage = <T extends { id: string }>(rows: T[], limit: number): Page<T> =>
  pageFrom(rows, limit, 'id', (row) => [row.id])
