/** How a claim row is read: with its speaker's name and its source's title and URL. */
import { eq, fillPlaceholders, sql, type SQL } from 'drizzle-orm'
import { SQLiteSyncDialect, type SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/open.js'
import { claims, sources, speakers } from '../../db/schema.js'
import type { Claim } from './schemas.js'

/** A claims row joined to its speaker's name and its source's title and URL, as PostgreSQL's repositories read it. */
export interface JoinedClaim {
  claim: Omit<Claim, 'speaker' | 'source'>
  speakerName: string
  sourceTitle: string
  sourceUrl: string | null
}

export const toClaim = ({ claim: c, speakerName, sourceTitle, sourceUrl }: JoinedClaim): Claim => ({
  id: c.id,
  text: c.text,
  quote: c.quote,
  speakerId: c.speakerId,
  speaker: { id: c.speakerId, name: speakerName },
  sourceId: c.sourceId,
  source: { id: c.sourceId, title: sourceTitle, url: sourceUrl },
  claimedAt: c.claimedAt,
  context: c.context,
  topics: c.topics,
  language: c.language,
  status: c.status,
  reviewCount: c.reviewCount,
  lastReviewedAt: c.lastReviewedAt,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
  version: c.version
})

/**
 * The columns a list page reads, in the order `fromListedRow` takes them: what a Claim
 * serves and no more (not the folded text key nor the deletion fields, which double a
 * row's bytes), read as arrays. A page of 50 cost 370 µs through drizzle's object mapping
 * and 150 µs this way (bench/probe, 100,000 claims).
 */
export const listedColumns = {
  id: claims.id,
  text: claims.text,
  quote: claims.quote,
  speakerId: claims.speakerId,
  sourceId: claims.sourceId,
  claimedAt: claims.claimedAt,
  context: claims.context,
  topics: claims.topics,
  language: claims.language,
  status: claims.status,
  reviewCount: claims.reviewCount,
  lastReviewedAt: claims.lastReviewedAt,
  createdAt: claims.createdAt,
  updatedAt: claims.updatedAt,
  version: claims.version,
  speakerName: speakers.name,
  sourceTitle: sources.title,
  sourceUrl: sources.url,
  rowid: sql<number>`${claims}.rowid`
}

/** A claim from a row of `listedColumns` as an array (SQLite's raw mode); its rowid is `row[LISTED_ROWID]`. */
export function fromListedRow (row: unknown[]): Claim {
  const [id, text, quote, speakerId, sourceId, claimedAt, context, topics, language, status, reviewCount, lastReviewedAt,
    createdAt, updatedAt, version, speakerName, sourceTitle, sourceUrl] = row as [string, string, string | null, string, string,
    string, string | null, string, string, Claim['status'], number, string | null, string, string, number, string, string, string | null]
  return {
    id,
    text,
    quote,
    speakerId,
    speaker: { id: speakerId, name: speakerName },
    sourceId,
    source: { id: sourceId, title: sourceTitle, url: sourceUrl },
    claimedAt,
    context,
    topics: JSON.parse(topics) as string[],
    language,
    status,
    reviewCount,
    lastReviewedAt,
    createdAt,
    updatedAt,
    version
  }
}

export const LISTED_ROWID = Object.keys(listedColumns).indexOf('rowid')

const dialect = new SQLiteSyncDialect()

/**
 * A better-sqlite3 statement from drizzle SQL with placeholders, prepared once and run with
 * their values (`all`, `get`); rows as arrays if `raw` (for `fromListedRow`).
 */
export function prepareRaw (db: Db, query: SQL, raw = false) {
  const built = dialect.sqlToQuery(query)
  const statement = db.$client.prepare(built.sql).raw(raw)
  return {
    all: (values: Record<string, unknown>) => statement.all(...fillPlaceholders(built.params, values)),
    get: (values: Record<string, unknown>) => statement.get(...fillPlaceholders(built.params, values))
  }
}

/** SELECT of `listedColumns` (then `more`, if any): claims joined to their speaker and source, for `fromListedRow`. */
export function selectListedIn (db: Db, more: Record<string, SQLiteColumn> = {}) {
  return () => db.select({ ...listedColumns, ...more }).from(claims)
    .innerJoin(speakers, eq(speakers.id, claims.speakerId))
    .innerJoin(sources, eq(sources.id, claims.sourceId))
}
