/**
 * Listing and searching claims: every documented filter in any combination, every sort with
 * ties by id (a total order), keyset pages, and FTS5 relevance. The SQL lives here; the
 * claims service exposes it as `claims.list` and `claims.plan`.
 */
import { and, eq, fillPlaceholders, gte, inArray, isNull, lte, sql, type SQL } from 'drizzle-orm'
import { LRUCache } from 'lru-cache'
import { keysetAfter, keysetOrderBy, type KeysetOrder } from '../../db/keyset.js'
import type { Db } from '../../db/open.js'
import { claims, claimTopics, reviews } from '../../db/schema.js'
import { searchWords } from '../../text.js'
import { fromListedRow, LISTED_ROWID, prepareRaw, selectListedIn } from './rows.js'
import type { ClaimCursor, ClaimFilter, ClaimSort, ListedClaim } from './schemas.js'

const sortOrders: Record<Exclude<ClaimSort, 'relevance'>, KeysetOrder> = {
  '-claimedAt': { column: claims.claimedAt, direction: 'desc' },
  claimedAt: { column: claims.claimedAt, direction: 'asc' },
  '-createdAt': { column: claims.createdAt, direction: 'desc' },
  createdAt: { column: claims.createdAt, direction: 'asc' },
  '-updatedAt': { column: claims.updatedAt, direction: 'desc' },
  '-lastReviewedAt': { column: claims.lastReviewedAt, direction: 'desc', nullable: true }
}

/** The filters a list may combine (all but `q`), each bound as a placeholder of its own name. */
const FILTERS = ['status', 'speakerId', 'sourceId', 'claimedFrom', 'claimedTo', 'topic', 'reviewer'] as const

/**
 * A list query's shape: which filters it has, its sort, whether it searches and where its
 * cursor is. Queries of one shape differ only in their values, so each shape is built and
 * prepared once (building with drizzle and preparing cost more than running the query: a
 * page of 50 spent 380 µs there against 260 µs in SQLite, bench --profile).
 */
function shapeOf (query: ClaimFilter, after: ClaimCursor | undefined, rowid: boolean): string {
  let shape = query.sort
  for (const name of FILTERS) shape += query[name] === undefined ? '-' : '+'
  if (query.q !== undefined) shape += 'q'
  if (after !== undefined) shape += after[0] === null ? 'n' : rowid ? 'r' : 'v'
  return shape
}

/** The placeholders' values for a query of that shape. */
function valuesOf (query: ClaimFilter, after: ClaimCursor | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const values: Record<string, unknown> = { limit: query.limit, ...extra }
  for (const name of FILTERS) if (query[name] !== undefined) values[name] = query[name]
  if (after !== undefined) {
    values.afterValue = after[0]
    values.afterId = after[1]
  }
  return values
}

const placeholder = (name: string) => sql.placeholder(name)

export function createClaimLists (db: Db) {
  const selectClaims = selectListedIn(db)
  const rowidOf = db.select({ rowid: sql<number>`${claims}.rowid` }).from(claims).where(eq(claims.id, sql.placeholder('id'))).prepare()
  const preparedSql = (query: SQL, raw = false) => prepareRaw(db, query, raw)
  // A search page's claims, by the rowids the ranking picked (one statement whatever their number).
  const pagedRows = preparedSql(selectClaims()
    .where(and(isNull(claims.deletedAt), sql`${claims}.rowid IN (SELECT value FROM json_each(${placeholder('rowids')}))`)).getSQL(), true)
  // About how many claims there are (rows are never deleted, only marked: the newest rowid counts them), and how many match, up to a cap.
  const newestRowid = db.$client.prepare('SELECT max(rowid) FROM claims').pluck()
  const matchesUpTo = db.$client.prepare('SELECT count(*) FROM (SELECT 1 FROM claims_fts WHERE claims_fts MATCH ? LIMIT ?)').pluck()
  // One prepared statement per shape, the most recently used ones kept: the shapes number in
  // the thousands (7 sorts × 2^7 filter sets × q × cursor kinds), the ones in use far fewer.
  type Prepared = { all: (values: Record<string, unknown>) => unknown[] }
  const listed = new LRUCache<string, Prepared>({ max: 256 })
  const ranked = new LRUCache<string, Prepared>({ max: 64 })
  const prepared = (cache: LRUCache<string, Prepared>, shape: string, build: () => Prepared): Prepared => {
    let statement = cache.get(shape)
    if (statement === undefined) {
      statement = build()
      cache.set(shape, statement)
    }
    return statement
  }

  return {
    /**
     * Live claims matching every given filter, in the sort's order (ties by id), after the
     * keyset position `after` when given; `limit` rows at most. With `q`, only claims whose
     * text, quote, context or speaker names contain every word, ranked by BM25 for the
     * relevance sort (the rank rides along for the next cursor).
     */
    list (query: ClaimFilter, after?: ClaimCursor): ListedClaim[] {
      let match: string | undefined
      if (query.q !== undefined) {
        match = ftsMatch(query.q)
        if (match === undefined) return []
      }
      const { sort } = query
      if (sort === 'relevance') return match === undefined ? [] : search(query, match, after)
      const walk = match !== undefined && walkable(query, match)
      const statement = prepared(listed, shapeOf(query, after, false) + (walk ? 'w' : ''), () => {
        const where: SQL[] = [isNull(claims.deletedAt), ...filters(query)]
        // `+rowid` keeps SQLite from looking the matches up by rowid, so it walks the sort's index instead.
        if (match !== undefined) where.push(sql`${sql.raw(walk ? '+' : '')}${claims}.rowid IN (SELECT rowid FROM claims_fts WHERE claims_fts MATCH ${placeholder('match')})`)
        return preparedSql(ordered(sort, where, after !== undefined, after?.[0] === null).getSQL(), true)
      })
      return (statement.all(valuesOf(query, after, { match })) as unknown[][]).map(fromListedRow)
    },

    /** EXPLAIN QUERY PLAN of a (non-relevance) list query: how SQLite will run it. */
    plan (query: ClaimFilter): string[] {
      const { sort } = query
      if (sort === 'relevance') return []
      const built = ordered(sort, [isNull(claims.deletedAt), ...filters(query)], false, false).toSQL()
      const params = fillPlaceholders(built.params, valuesOf(query, undefined))
      return (db.$client.prepare(`EXPLAIN QUERY PLAN ${built.sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail)
    }
  }

  /**
   * Whether a search in a date order should walk the order's index, keeping the claims that
   * match, rather than read every match and sort them. Walking reads about limit × N / m index
   * entries (N claims, m matches), sorting reads m rows at about four times an entry's cost:
   * the walk wins past m = √(limit × N / 4), which a capped count of the matches tells. At
   * 100,000 claims, q=skibu (1,811 matches) sorted by date: 753 → 331 µs in SQLite; a rarer
   * term keeps the sort (461 matches: 509 µs, where the walk took 837). Only without other
   * filters, whose own indexes SQLite already picks, and on the sorts whose column is never NULL.
   */
  function walkable (query: ClaimFilter, match: string): boolean {
    if (query.sort === 'relevance' || query.sort === '-lastReviewedAt' || FILTERS.some((name) => query[name] !== undefined)) return false
    const claimsNow = (newestRowid.get() as number | null) ?? 0
    const threshold = Math.ceil(Math.sqrt(query.limit * claimsNow / 4))
    return (matchesUpTo.get(match, threshold) as number) >= threshold
  }

  /** The WHERE terms of a list's filters (all but `q`), each value a placeholder named after its filter. */
  function filters (query: ClaimFilter): SQL[] {
    const where: SQL[] = []
    if (query.status !== undefined) where.push(eq(claims.status, placeholder('status')))
    if (query.speakerId !== undefined) where.push(eq(claims.speakerId, placeholder('speakerId')))
    if (query.sourceId !== undefined) where.push(eq(claims.sourceId, placeholder('sourceId')))
    if (query.claimedFrom !== undefined) where.push(gte(claims.claimedAt, placeholder('claimedFrom')))
    if (query.claimedTo !== undefined) where.push(lte(claims.claimedAt, placeholder('claimedTo')))
    if (query.topic !== undefined) {
      where.push(inArray(claims.id, db.select({ id: claimTopics.claimId }).from(claimTopics).where(eq(claimTopics.topic, placeholder('topic')))))
    }
    if (query.reviewer !== undefined) {
      where.push(sql`exists (select 1 from ${reviews} where ${reviews.claimId} = ${claims.id} and ${reviews.reviewerId} = ${placeholder('reviewer')})`)
    }
    return where
  }

  /** The list query in a keyset sort's order (not relevance: see search), after a cursor (`afterValue`, `afterId`) if `after`. */
  function ordered (sort: Exclude<ClaimSort, 'relevance'>, where: SQL[], after: boolean, afterNull: boolean) {
    const order = sortOrders[sort]
    const keyset = after ? [keysetAfter(order, claims.id, afterNull ? null : placeholder('afterValue'), placeholder('afterId'))] : []
    return selectClaims().where(and(...where, ...keyset)).orderBy(...keysetOrderBy(order, claims.id)).limit(placeholder('limit'))
  }

  /**
   * Best matches first (BM25, lower is better; text weighs most); ties in the order the claims
   * were stored (rowid), which the cursor's claim id stands for. Ranking every match is the
   * inherent cost; with no other filter the top page is picked inside the index (which holds
   * live claims only) and only its rows are read from claims: at 1M claims and 18,000 matches
   * that is 21 ms instead of 67 ms for joining every match to claims first (bench).
   */
  function search (query: ClaimFilter, match: string, after: ClaimCursor | undefined): ListedClaim[] {
    const rowid = after === undefined ? undefined : rowidOf.get({ id: after[1] })?.rowid
    const statement = prepared(ranked, shapeOf(query, after, rowid !== undefined), () => {
      const filtered = filters(query)
      const matches = sql`(SELECT rowid, bm25(claims_fts, 10.0, 5.0, 1.0, 3.0) AS rank FROM claims_fts WHERE claims_fts MATCH ${placeholder('match')}) AS f`
      const past = after === undefined
        ? sql``
        : rowid === undefined
          ? sql`AND f.rank > ${placeholder('afterValue')}`
          : sql`AND (f.rank > ${placeholder('afterValue')} OR (f.rank = ${placeholder('afterValue')} AND f.rowid > ${placeholder('afterRowid')}))`
      const matching = filtered.length === 0
        ? sql`${matches} WHERE 1`
        : sql`${matches} JOIN ${claims} ON ${claims}.rowid = f.rowid WHERE ${and(isNull(claims.deletedAt), ...filtered)}`
      return preparedSql(sql`SELECT f.rowid AS rowid, f.rank AS rank FROM ${matching} ${past} ORDER BY f.rank, f.rowid LIMIT ${placeholder('limit')}`)
    })
    const hits = statement.all(valuesOf(query, after, { match, afterRowid: rowid })) as Array<{ rowid: number, rank: number }>
    if (hits.length === 0) return []
    const rows = pagedRows.all({ rowids: JSON.stringify(hits.map((h) => h.rowid)) }) as unknown[][]
    const found = new Map(rows.map((row) => [row[LISTED_ROWID] as number, fromListedRow(row)]))
    return hits.flatMap((hit) => {
      const claim = found.get(hit.rowid)
      return claim === undefined ? [] : [{ ...claim, rank: hit.rank }]
    })
  }
}

export type ClaimLists = ReturnType<typeof createClaimLists>

/**
 * The FTS5 query for what a person typed: every run of letters or digits becomes a quoted
 * word, all of them required. Quotes, `*`, `NEAR`, `-`, parentheses and the like are never
 * FTS syntax here, so no input can break the query.
 */
export function ftsMatch (q: string): string | undefined {
  const words = searchWords(q)
  return words.length === 0 ? undefined : words.map((word) => `"${word}"`).join(' ')
}
