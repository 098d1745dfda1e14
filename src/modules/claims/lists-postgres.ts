/**
 * Listing and searching claims on PostgreSQL, with lists.ts's semantics: every documented
 * filter, every sort with ties by id, keyset pages, and relevance over the `search` tsvector
 * (migrations/postgres/0002_claims_search.sql: every word required, accents folded, text
 * weighted highest). The cursor's rank is -ts_rank, so that here too lower is better.
 */
import { and, asc, desc, eq, gte, inArray, isNull, lte, or, sql, type AnyColumn, type SQL } from 'drizzle-orm'
import type { Async } from '../../db/engine.js'
import type { PgQ } from '../../db/postgres/engine.js'
import { claims, claimTopics, reviews, sources, speakers } from '../../db/postgres/schema.js'
import { searchWords } from '../../text.js'
import type { ClaimLists } from './lists.js'
import { toClaim } from './rows.js'
import type { ClaimCursor, ClaimFilter, ClaimSort, ListedClaim } from './schemas.js'

interface Order { column: AnyColumn, direction: 'asc' | 'desc', nullable?: boolean }

const sortOrders: Record<Exclude<ClaimSort, 'relevance'>, Order> = {
  '-claimedAt': { column: claims.claimedAt, direction: 'desc' },
  claimedAt: { column: claims.claimedAt, direction: 'asc' },
  '-createdAt': { column: claims.createdAt, direction: 'desc' },
  createdAt: { column: claims.createdAt, direction: 'asc' },
  '-updatedAt': { column: claims.updatedAt, direction: 'desc' },
  '-lastReviewedAt': { column: claims.lastReviewedAt, direction: 'desc', nullable: true }
}

/** ts_rank's weights for D (context), C (speaker), B (quote), A (text): bm25's 1/3/5/10 on SQLite. */
export const WEIGHTS = sql.raw("'{0.1, 0.3, 0.5, 1.0}'")

const columns = { claim: claims, speakerName: speakers.name, sourceTitle: sources.title, sourceUrl: sources.url }

export function createPostgresClaimLists (q: PgQ): Async<ClaimLists> {
  const selectClaims = () => q.select(columns).from(claims)
    .innerJoin(speakers, eq(speakers.id, claims.speakerId))
    .innerJoin(sources, eq(sources.id, claims.sourceId))
  const selectRanked = (rank: SQL<number>) => q.select({ ...columns, rank: rank.as('rank') }).from(claims)
    .innerJoin(speakers, eq(speakers.id, claims.speakerId))
    .innerJoin(sources, eq(sources.id, claims.sourceId))

  /** The WHERE terms of a list's filters (all but `q`). */
  function filters (query: ClaimFilter): SQL[] {
    const where: SQL[] = [isNull(claims.deletedAt)]
    if (query.status !== undefined) where.push(eq(claims.status, query.status))
    if (query.speakerId !== undefined) where.push(eq(claims.speakerId, query.speakerId))
    if (query.sourceId !== undefined) where.push(eq(claims.sourceId, query.sourceId))
    if (query.claimedFrom !== undefined) where.push(gte(claims.claimedAt, query.claimedFrom))
    if (query.claimedTo !== undefined) where.push(lte(claims.claimedAt, query.claimedTo))
    if (query.topic !== undefined) {
      where.push(inArray(claims.id, q.select({ id: claimTopics.claimId }).from(claimTopics).where(eq(claimTopics.topic, query.topic))))
    }
    if (query.reviewer !== undefined) {
      where.push(sql`exists (select 1 from ${reviews} where ${reviews.claimId} = ${claims.id} and ${reviews.reviewerId} = ${query.reviewer})`)
    }
    return where
  }

  /** A sort's keyset: NULLs last in either direction, as SQLite orders them in the only nullable (descending) sort. */
  function keyset (order: Order, after?: ClaimCursor) {
    const dir = order.direction === 'asc' ? asc : desc
    const orderBy = order.nullable === true
      ? [sql`${order.column} ${sql.raw(order.direction)} NULLS LAST`, dir(claims.id)]
      : [dir(order.column), dir(claims.id)]
    if (after === undefined) return { orderBy, where: [] }
    const [value, lastId] = after
    const op = sql.raw(order.direction === 'asc' ? '>' : '<')
    if (value === null) return { orderBy, where: [and(isNull(order.column), sql`${claims.id} ${op} ${lastId}`) as SQL] }
    const past = sql`(${order.column}, ${claims.id}) ${op} (${value}, ${lastId})`
    return { orderBy, where: [order.nullable === true ? or(past, isNull(order.column)) as SQL : past] }
  }

  function ordered (query: ClaimFilter, where: SQL[], after?: ClaimCursor) {
    const { orderBy, where: past } = keyset(sortOrders[query.sort as Exclude<ClaimSort, 'relevance'>], after)
    return selectClaims().where(and(...where, ...past)).orderBy(...orderBy).limit(query.limit)
  }

  return {
    list: async (query, after) => {
      const where = filters(query)
      if (query.q === undefined) return (await ordered(query, where, after)).map(toClaim)
      const words = searchWords(query.q)
      if (words.length === 0) return []
      const tsquery = sql`plainto_tsquery('claimledger', ${words.join(' ')})`
      where.push(sql`${claims.search} @@ ${tsquery}`)
      if (query.sort !== 'relevance') return (await ordered(query, where, after)).map(toClaim)
      // Best first, ties by id (UUID v7: the order claims were stored in).
      const rank = sql<number>`-ts_rank(${WEIGHTS}, ${claims.search}, ${tsquery})`
      if (after !== undefined) {
        const [value, lastId] = after
        where.push(sql`(${rank} > ${value} OR (${rank} = ${value} AND ${claims.id} > ${lastId}))`)
      }
      const rows = await selectRanked(rank).where(and(...where)).orderBy(rank, asc(claims.id)).limit(query.limit)
      return rows.map((row): ListedClaim => ({ ...toClaim(row), rank: Number(row.rank) }))
    },

    /** EXPLAIN of a (non-relevance) list query: how PostgreSQL will run it. */
    plan: async (query) => {
      if (query.sort === 'relevance') return []
      const { rows } = await q.execute<{ 'QUERY PLAN': string }>(sql`EXPLAIN ${ordered(query, filters(query))}`)
      return rows.map((row) => row['QUERY PLAN'])
    }
  }
}
