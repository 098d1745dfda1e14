/** The stats repository on PostgreSQL: the same read-only queries as sqlite.ts, in its SQL. */
import { and, count, desc, eq, gte, isNull, sql } from 'drizzle-orm'
import type { Async } from '../../db/engine.js'
import type { PgQ } from '../../db/postgres/engine.js'
import { claims, claimStatusCounts, reviews, speakers } from '../../db/postgres/schema.js'
import type { StatsRepository } from './repository.js'

export function createPostgresStatsRepository (q: PgQ): Async<StatsRepository> {
  const day = sql<string>`substr(${reviews.createdAt}, 1, 10)`
  const month = sql<string>`substr(${claims.claimedAt}, 1, 7)`
  return {
    speakerMonths: async (speakerId) => await q.select({ month, status: claims.status, n: count() }).from(claims)
      .where(and(eq(claims.speakerId, speakerId), isNull(claims.deletedAt))).groupBy(month, claims.status),
    speakerVerdicts: async (speakerId, limit) => await q.select({ claimId: reviews.claimId, text: claims.text, verdict: reviews.verdict, reviewedAt: reviews.createdAt })
      .from(claims).innerJoin(reviews, eq(reviews.claimId, claims.id))
      .where(and(eq(claims.speakerId, speakerId), isNull(claims.deletedAt)))
      .orderBy(desc(reviews.createdAt), desc(reviews.id)).limit(limit),
    counters: async () => await q.select({ status: claimStatusCounts.status, n: claimStatusCounts.claims }).from(claimStatusCounts),
    reviews: async () => (await q.select({ n: count() }).from(reviews))[0]?.n ?? 0,
    reviewsPerDay: async (firstDay) => await q.select({ day, n: count() }).from(reviews).where(gte(reviews.createdAt, firstDay)).groupBy(day),
    // Ties by name in byte order (COLLATE "C"), as SQLite compares text.
    topSpeakers: async (limit) => await q.select({ id: speakers.id, name: speakers.name, claims: count() }).from(claims)
      .innerJoin(speakers, eq(speakers.id, claims.speakerId))
      .where(isNull(claims.deletedAt))
      .groupBy(speakers.id).orderBy(desc(count()), sql`${speakers.name} COLLATE "C"`).limit(limit)
  }
}
