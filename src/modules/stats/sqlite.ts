/** The stats repository on SQLite: read-only SQL over claims, reviews and the claim counters. */
import { count, desc, eq, gte, isNull, sql } from 'drizzle-orm'
import type { Db } from '../../db/open.js'
import { claims, claimStatusCounts, reviews, speakers } from '../../db/schema.js'
import type { StatsRepository } from './repository.js'

export function createSqliteStatsRepository (db: Db): StatsRepository & { countersPlan: () => string[] } {
  // Counters kept by triggers on claims: three rows, whatever the number of claims. A full
  // count here cost a second per /metrics scrape at 300k claims, blocking every request.
  const counters = db.select({ status: claimStatusCounts.status, n: claimStatusCounts.claims }).from(claimStatusCounts)
  const readCounters = counters.prepare()
  const day = sql<string>`substr(${reviews.createdAt}, 1, 10)`
  return {
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
