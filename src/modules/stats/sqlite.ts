/** The stats repository on SQLite: read-only SQL over claims, reviews and the claim counters. */
import { and, count, desc, eq, gte, isNull, sql } from 'drizzle-orm'
import type { Db } from '../../db/open.js'
import { claims, claimStatusCounts, reviews, speakers } from '../../db/schema.js'
import type { StatsRepository } from './repository.js'

export function createSqliteStatsRepository (db: Db): StatsRepository & { countersPlan: () => string[], speakerPlans: () => string[][] } {
  // Counters kept by triggers on claims: three rows, whatever the number of claims. A full
  // count here cost a second per /metrics scrape at 300k claims, blocking every request.
  const counters = db.select({ status: claimStatusCounts.status, n: claimStatusCounts.claims }).from(claimStatusCounts)
  const readCounters = counters.prepare()
  const day = sql<string>`substr(${reviews.createdAt}, 1, 10)`
  const month = sql<string>`substr(${claims.claimedAt}, 1, 7)`
  const speakerMonths = db.select({ month, status: claims.status, n: count() }).from(claims)
    .where(and(eq(claims.speakerId, sql.placeholder('speakerId')), isNull(claims.deletedAt))).groupBy(month, claims.status)
  const speakerVerdicts = db.select({ claimId: reviews.claimId, text: claims.text, verdict: reviews.verdict, reviewedAt: reviews.createdAt })
    .from(claims).innerJoin(reviews, eq(reviews.claimId, claims.id))
    .where(and(eq(claims.speakerId, sql.placeholder('speakerId')), isNull(claims.deletedAt)))
    .orderBy(desc(reviews.createdAt), desc(reviews.id)).limit(sql.placeholder('limit'))
  const months = speakerMonths.prepare()
  const verdicts = speakerVerdicts.prepare()
  const plan = (query: { toSQL: () => { sql: string, params: unknown[] } }) => {
    const { sql: text, params } = query.toSQL()
    const values = params.map((p) => (typeof p === 'object' && p !== null ? (p as { name: string }).name === 'limit' ? 10 : 'x' : p))
    return (db.$client.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...values) as Array<{ detail: string }>).map((r) => r.detail)
  }
  return {
    speakerMonths: (speakerId) => months.all({ speakerId }),
    speakerVerdicts: (speakerId, limit) => verdicts.all({ speakerId, limit }),
    /** EXPLAIN QUERY PLAN of the two speaker-record queries: tests hold them to the speaker's range. */
    speakerPlans: () => [plan(speakerMonths), plan(speakerVerdicts)],
    counters: () => readCounters.all(),
    /** EXPLAIN QUERY PLAN of `counters`: tests hold it off the claims table. */
    countersPlan: () => {
      const { sql: text, params } = counters.toSQL()
      return (db.$client.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail)
    },
    reviews: () => db.select({ n: count() }).from(reviews).get()?.n ?? 0,
    reviewsPerDay: (firstDay) => db.select({ day, n: count() }).from(reviews).where(gte(reviews.createdAt, firstDay)).groupBy(day).all(),
    topSpeakers: (limit) => db.select({ id: speakers.id, name: speakers.name, claims: count() }).from(claims)
      .innerJoin(speakers, eq(speakers.id, claims.speakerId))
      .where(isNull(claims.deletedAt))
      .groupBy(speakers.id).orderBy(desc(count()), speakers.name).limit(limit).all()
  }
}
