/** Reviews: append-only verdicts. The only SQL for the reviews table. */
import { and, desc, eq, lt, sql } from 'drizzle-orm'
import type { Ledger, WriteContext } from '../audit/ledger.js'
import type { ClaimsStore } from '../claims/store.js'
import type { Claim } from '../claims/schemas.js'
import { newId } from '../db/ids.js'
import type { Database_ } from '../db/open.js'
import { reviews } from '../db/schema.js'
import { assertVersion, type VersionCondition } from '../http/etag.js'
import { assertVerdictRules } from './rules.js'
import type { Review, ReviewCreate } from './schemas.js'

type Row = typeof reviews.$inferSelect

const toReview = (row: Row): Review => ({
  id: row.id,
  claimId: row.claimId,
  verdict: row.verdict,
  previousStatus: row.previousStatus,
  note: row.note,
  evidence: row.evidence,
  reviewer: { id: row.reviewerId, name: row.reviewerName },
  createdAt: row.createdAt
})

export function createReviewsStore ({ db, sqlite, transaction }: Database_, ledger: Ledger, claims: ClaimsStore) {
  // Prepared once: every review (single or bulk) runs it.
  const insertReview = db.insert(reviews).values({
    id: sql.placeholder('id'),
    claimId: sql.placeholder('claimId'),
    verdict: sql.placeholder('verdict'),
    previousStatus: sql.placeholder('previousStatus'),
    note: sql.placeholder('note'),
    evidence: sql.placeholder('evidence'),
    reviewerId: sql.placeholder('reviewerId'),
    reviewerName: sql.placeholder('reviewerName'),
    createdAt: sql.placeholder('createdAt')
  }).prepare()

  /** Applies one review in a transaction of its own (a savepoint if the caller has one open). */
  function apply (ctx: WriteContext, claimId: string, input: ReviewCreate, expected: VersionCondition, at: string) {
    return transaction(() => applyWithin(ctx, claimId, input, expected, at))
  }

  /**
   * Applies one review inside the caller's transaction: the review, the claim's new state and
   * its audit event. Every check comes before the first write, so a review refused with a
   * Problem has written nothing and needs no savepoint to undo; bulk review relies on that
   * (a savepoint per item was a sixth of its time). Any other error aborts the caller's
   * whole transaction.
   */
  function applyWithin (ctx: WriteContext, claimId: string, input: ReviewCreate, expected: VersionCondition, at: string): { review: Review, claim: Claim } {
    if (!sqlite.inTransaction) throw new Error('applyWithin must run inside the caller\'s transaction')
    const before = claims.require(claimId)
    assertVersion('Claim', expected, before.version)
    assertVerdictRules(input)
    // From here on nothing throws a Problem.
    const review: Review = {
      id: newId(),
      claimId,
      verdict: input.verdict,
      previousStatus: before.status,
      note: input.note,
      evidence: input.evidence.map(({ url, title, stance }) => (title == null ? { url, stance } : { url, title, stance })),
      reviewer: { id: ctx.actor.id, name: ctx.actor.name },
      createdAt: at
    }
    insertReview.run({
      id: review.id,
      claimId,
      verdict: review.verdict,
      previousStatus: review.previousStatus,
      note: review.note,
      evidence: review.evidence,
      reviewerId: review.reviewer.id,
      reviewerName: review.reviewer.name,
      createdAt: at
    })
    const claim = claims.recordReview(before, review.verdict, at)
    ledger.append(ctx, [{
      action: 'claim.reviewed',
      entityType: 'claim',
      entityId: claimId,
      changes: {
        status: { from: before.status, to: review.verdict },
        review: { from: null, to: { id: review.id, verdict: review.verdict, note: review.note, evidence: review.evidence } }
      }
    }], at)
    return { review, claim }
  }

  return {
    applyWithin,

    create (ctx: WriteContext, claimId: string, input: ReviewCreate, expected?: VersionCondition) {
      return apply(ctx, claimId, input, expected, new Date().toISOString())
    },

    get (claimId: string, id: string): Review | undefined {
      const row = db.select().from(reviews).where(and(eq(reviews.claimId, claimId), eq(reviews.id, id))).get()
      return row === undefined ? undefined : toReview(row)
    },

    /** Newest first (ids are time-ordered UUID v7, so id order is creation order). */
    list (claimId: string, limit: number, beforeId?: string): Review[] {
      const where = beforeId === undefined ? eq(reviews.claimId, claimId) : and(eq(reviews.claimId, claimId), lt(reviews.id, beforeId))
      return db.select().from(reviews).where(where).orderBy(desc(reviews.id)).limit(limit).all().map(toReview)
    }
  }
}

export type ReviewsStore = ReturnType<typeof createReviewsStore>
