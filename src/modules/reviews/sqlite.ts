/** The reviews repository on SQLite: the only SQL for the reviews table. */
import { and, desc, eq, lt, sql } from 'drizzle-orm'
import type { Db } from '../../db/open.js'
import { reviews } from '../../db/schema.js'
import { toReview, type ReviewsRepository } from './repository.js'

export function createSqliteReviewsRepository (db: Db): ReviewsRepository {
  // Prepared once: every review (single or bulk) runs them.
  const insertReview = db.insert(reviews).values({
    id: sql.placeholder('id'),
    claimId: sql.placeholder('claimId'),
    verdict: sql.placeholder('verdict'),
    previousStatus: sql.placeholder('previousStatus'),
    note: sql.placeholder('note'),
    evidence: sql.placeholder('evidence'),
    reviewerId: sql.placeholder('reviewerId'),
    reviewerName: sql.placeholder('reviewerName'),
    createdAt: sql.placeholder('createdAt'),
    clientRef: sql.placeholder('clientRef')
  }).prepare()
  const byClientRef = db.select().from(reviews)
    .where(and(eq(reviews.reviewerId, sql.placeholder('reviewerId')), eq(reviews.clientRef, sql.placeholder('clientRef')))).prepare()

  return {
    insert: (review) => {
      insertReview.run({ ...review, reviewerId: review.reviewer.id, reviewerName: review.reviewer.name })
    },
    byClientRef: (reviewerId, clientRef) => {
      const row = byClientRef.get({ reviewerId, clientRef })
      return row === undefined ? undefined : toReview(row)
    },
    get: (claimId, id) => {
      const row = db.select().from(reviews).where(and(eq(reviews.claimId, claimId), eq(reviews.id, id))).get()
      return row === undefined ? undefined : toReview(row)
    },
    // Ids are time-ordered UUID v7, so id order is creation order.
    list: (claimId, limit, beforeId) => {
      const where = beforeId === undefined ? eq(reviews.claimId, claimId) : and(eq(reviews.claimId, claimId), lt(reviews.id, beforeId))
      return db.select().from(reviews).where(where).orderBy(desc(reviews.id)).limit(limit).all().map(toReview)
    }
  }
}
