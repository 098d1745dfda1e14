/** The reviews repository on PostgreSQL: the same operations as sqlite.ts, in its SQL. */
import { and, desc, eq, lt } from 'drizzle-orm'
import type { Async } from '../../db/engine.js'
import { isUuid } from '../../db/ids.js'
import type { PgQ } from '../../db/postgres/engine.js'
import { reviews } from '../../db/postgres/schema.js'
import { toReview, type ReviewsRepository } from './repository.js'

export function createPostgresReviewsRepository (q: PgQ): Async<ReviewsRepository> {
  return {
    insert: async ({ reviewer, ...review }) => {
      await q.insert(reviews).values({ ...review, reviewerId: reviewer.id, reviewerName: reviewer.name })
    },
    byClientRef: async (reviewerId, clientRef) => {
      const [row] = await q.select().from(reviews).where(and(eq(reviews.reviewerId, reviewerId), eq(reviews.clientRef, clientRef)))
      return row === undefined ? undefined : toReview(row)
    },
    get: async (claimId, id) => {
      if (!isUuid(claimId) || !isUuid(id)) return undefined
      const [row] = await q.select().from(reviews).where(and(eq(reviews.claimId, claimId), eq(reviews.id, id)))
      return row === undefined ? undefined : toReview(row)
    },
    // Ids are time-ordered UUID v7, and uuid compares byte by byte: id order is creation order.
    list: async (claimId, limit, beforeId) => {
      if (!isUuid(claimId) || (beforeId !== undefined && !isUuid(beforeId))) return []
      const where = beforeId === undefined ? eq(reviews.claimId, claimId) : and(eq(reviews.claimId, claimId), lt(reviews.id, beforeId))
      return (await q.select().from(reviews).where(where).orderBy(desc(reviews.id)).limit(limit)).map(toReview)
    }
  }
}
