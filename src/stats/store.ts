/** Aggregates for dashboards and metrics. Read-only SQL over claims, reviews and the claim counters. */
import { and, count, desc, eq, gte, isNull, sql } from 'drizzle-orm'
import type { Database_ } from '../db/open.js'
import { claims, claimStatusCounts, reviews, speakers } from '../db/schema.js'

export const STATS_DAYS = 30
export const TOP_SPEAKERS = 10

/** The last `days` UTC calendar dates, oldest first, ending today. */
export function lastDays (days: number, now = Date.now()): string[] {
  return Array.from({ length: days }, (_, i) => new Date(now - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10))
}

export function createStatsStore ({ db, sqlite }: Database_) {
  // Counters kept by triggers on claims: three rows, whatever the number of claims. A full
  // count here cost a second per /metrics scrape at 300k claims, blocking every request.
  const counters = db.select({ status: claimStatusCounts.status, n: claimStatusCounts.claims }).from(claimStatusCounts)
  const readCounters = counters.prepare()

  /** Live claims by status (zero for a status no claim has). */
  function totals () {
    const byStatus = { unverified: 0, corroborated: 0, disputed: 0 }
    for (const { status, n } of readCounters.all()) byStatus[status] = n
    return byStatus
  }

  return {
    totals,

    /** EXPLAIN QUERY PLAN of `totals`: tests hold it off the claims table. */
    totalsPlan (): string[] {
      const { sql: text, params } = counters.toSQL()
      return (sqlite.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail)
    },

    stats (now = Date.now()) {
      const byStatus = totals()
      const totalsWithCounts = {
        claims: byStatus.unverified + byStatus.corroborated + byStatus.disputed,
        ...byStatus,
        reviews: db.select({ n: count() }).from(reviews).get()?.n ?? 0
      }

      const days = lastDays(STATS_DAYS, now)
      const day = sql<string>`substr(${reviews.createdAt}, 1, 10)`
      const perDay = new Map(db.select({ day, n: count() }).from(reviews)
        .where(gte(reviews.createdAt, days[0] as string)).groupBy(day).all().map((r) => [r.day, r.n]))

      const topSpeakers = db.select({ id: speakers.id, name: speakers.name, claims: count() }).from(claims)
        .innerJoin(speakers, eq(speakers.id, claims.speakerId))
        .where(and(isNull(claims.deletedAt)))
        .groupBy(speakers.id).orderBy(desc(count()), speakers.name).limit(TOP_SPEAKERS).all()

      return {
        totals: totalsWithCounts,
        reviewsPerDay: days.map((date) => ({ date, reviews: perDay.get(date) ?? 0 })),
        topSpeakers
      }
    }
  }
}

export type StatsStore = ReturnType<typeof createStatsStore>
