/** Reviews: append-only verdicts. The only SQL for the reviews table. */
import { and, desc, eq, lt, sql } from 'drizzle-orm'
import { canonicalJson, type Ledger, type WriteContext } from '../audit/ledger.js'
import type { ClaimsStore } from '../claims/store.js'
import type { Claim } from '../claims/schemas.js'
import { newId } from '../db/ids.js'
import type { Database_ } from '../db/open.js'
import { reviews } from '../db/schema.js'
import { assertVersion, type VersionCondition } from '../core/versions.js'
import { Duplicate } from '../core/errors.js'
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
  clientRef: row.clientRef,
  createdAt: row.createdAt
})

/** What makes two reviews "the same" for a clientRef sent again: everything the caller chose. */
const substance = (claimId: string, r: Pick<Review, 'verdict' | 'note' | 'evidence'>) =>
  canonicalJson({ claimId, verdict: r.verdict, note: r.note, evidence: r.evidence })

/** A review as applied: `replayed` when its clientRef had been applied before and nothing was written. */
export interface Applied { review: Review, claim: Claim, replayed: boolean }

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
    createdAt: sql.placeholder('createdAt'),
    clientRef: sql.placeholder('clientRef')
  }).prepare()
  const byClientRef = db.select().from(reviews)
    .where(and(eq(reviews.reviewerId, sql.placeholder('reviewerId')), eq(reviews.clientRef, sql.placeholder('clientRef')))).prepare()

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
  function applyWithin (ctx: WriteContext, claimId: string, input: ReviewCreate, expected: VersionCondition, at: string): Applied {
    if (!sqlite.inTransaction) throw new Error('applyWithin must run inside the caller\'s transaction')
    const evidence = input.evidence.map(({ url, title, stance }) => (title == null ? { url, stance } : { url, title, stance }))
    const clientRef = input.clientRef ?? null
    // A clientRef this key applied before is answered before the version and verdict checks: the
    // claim has moved on since (its version, maybe its status), and a rerun must not trip over that.
    const earlier = clientRef === null ? undefined : byClientRef.get({ reviewerId: ctx.actor.id, clientRef })
    if (earlier !== undefined) {
      if (earlier.claimId !== claimId) claims.requireKnown(claimId) // an id that names nothing is still a 404
      return replay(claimId, { ...input, evidence }, toReview(earlier))
    }
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
      evidence,
      reviewer: { id: ctx.actor.id, name: ctx.actor.name },
      clientRef,
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
      createdAt: at,
      clientRef
    })
    const claim = claims.recordReview(before, review.verdict, at)
    ledger.append(ctx, [{
      action: 'claim.reviewed',
      entityType: 'claim',
      entityId: claimId,
      changes: {
        status: { from: before.status, to: review.verdict },
        review: {
          from: null,
          to: {
            id: review.id,
            verdict: review.verdict,
            note: review.note,
            evidence: review.evidence,
            ...(clientRef === null ? {} : { clientRef })
          }
        }
      }
    }], at)
    return { review, claim, replayed: false }
  }

  /** The stored review for a clientRef sent again; 409 if this request asks for something else. */
  function replay (claimId: string, input: Pick<Review, 'verdict' | 'note' | 'evidence'>, earlier: Review): Applied {
    if (substance(claimId, input) !== substance(earlier.claimId, earlier)) {
      throw new Duplicate({ kind: 'review', id: earlier.id, claimId: earlier.claimId },
        `clientRef "${String(earlier.clientRef)}" was already applied by this key as review ${earlier.id} of claim ${earlier.claimId}, ` +
        'with another claim, verdict, note or evidence: it is not applied again (a correction is a new review with a new clientRef)')
    }
    // The claim as it is now, deleted or not: the review was applied, whatever happened since.
    const claim = claims.find(earlier.claimId)?.claim
    if (claim === undefined) throw new Error(`review ${earlier.id} outlived its claim`) // reviews.claim_id is a foreign key
    return { review: earlier, claim, replayed: true }
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
