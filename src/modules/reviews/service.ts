/**
 * Reviews: verdicts on claims, append-only, over a ReviewsRepository (the SQL, one per
 * engine). A review checks the claim's version (If-Match) and the verdict rules, records the
 * review, moves the claim to its new status and appends `claim.reviewed`, all in one
 * transaction; a clientRef sent again by the same key is answered with the review it made.
 */
import { canonicalJson, type Ledger } from '../audit/ledger.js'
import { type WriteContext } from '../../core/context.js'
import type { ClaimsService } from '../claims/service.js'
import type { Claim } from '../claims/schemas.js'
import { Duplicate } from '../../core/errors.js'
import { assertVersion, type VersionCondition } from '../../core/versions.js'
import { newId } from '../../db/ids.js'
import type { Repository, Transact } from '../../db/engine.js'
import type { ReviewsRepository } from './repository.js'
import { assertVerdictRules } from './rules.js'
import type { Review, ReviewCreate } from './schemas.js'

/** What makes two reviews "the same" for a clientRef sent again: everything the caller chose. */
const substance = (claimId: string, r: Pick<Review, 'verdict' | 'note' | 'evidence'>) =>
  canonicalJson({ claimId, verdict: r.verdict, note: r.note, evidence: r.evidence })

/** A review as applied: `replayed` when its clientRef had been applied before and nothing was written. */
export interface Applied { review: Review, claim: Claim, replayed: boolean }

export interface ReviewsDeps {
  transaction: Transact
  reviews: Repository<ReviewsRepository>
  claims: Pick<ClaimsService, 'find' | 'require' | 'requireKnown' | 'recordReview'>
  ledger: Pick<Ledger, 'append' | 'assertInTransaction'>
}

export function createReviewsService ({ transaction, reviews, claims, ledger }: ReviewsDeps) {
  /**
   * Applies one review inside the caller's transaction: the review, the claim's new state and
   * its audit event. Every check comes before the first write, so a review refused with a
   * domain error has written nothing and needs no savepoint to undo; bulk review relies on
   * that (a savepoint per item was a sixth of its time). Any other error aborts the caller's
   * whole transaction.
   */
  async function applyWithin (ctx: WriteContext, claimId: string, input: ReviewCreate, expected: VersionCondition, at: string): Promise<Applied> {
    ledger.assertInTransaction('applyWithin')
    const evidence = input.evidence.map(({ url, title, stance }) => (title == null ? { url, stance } : { url, title, stance }))
    const clientRef = input.clientRef ?? null
    // A clientRef this key applied before is answered before the version and verdict checks: the
    // claim has moved on since (its version, maybe its status), and a rerun must not trip over that.
    const earlier = clientRef === null ? undefined : await reviews.byClientRef(ctx.actor.id, clientRef)
    if (earlier !== undefined) {
      if (earlier.claimId !== claimId) await claims.requireKnown(claimId) // an id that names nothing is still a 404
      return await replay(claimId, { ...input, evidence }, earlier)
    }
    const before = await claims.require(claimId)
    assertVersion('Claim', expected, before.version)
    assertVerdictRules(input)
    // From here on nothing throws a domain error.
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
    await reviews.insert(review)
    const claim = await claims.recordReview(before, review.verdict, at)
    await ledger.append(ctx, [{
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
  async function replay (claimId: string, input: Pick<Review, 'verdict' | 'note' | 'evidence'>, earlier: Review): Promise<Applied> {
    if (substance(claimId, input) !== substance(earlier.claimId, earlier)) {
      throw new Duplicate({ kind: 'review', id: earlier.id, claimId: earlier.claimId },
        `clientRef "${String(earlier.clientRef)}" was already applied by this key as review ${earlier.id} of claim ${earlier.claimId}, ` +
        'with another claim, verdict, note or evidence: it is not applied again (a correction is a new review with a new clientRef)')
    }
    // The claim as it is now, deleted or not: the review was applied, whatever happened since.
    const claim = (await claims.find(earlier.claimId))?.claim
    if (claim === undefined) throw new Error(`review ${earlier.id} outlived its claim`) // reviews.claim_id is a foreign key
    return { review: earlier, claim, replayed: true }
  }

  return {
    applyWithin,

    /** One review in a transaction of its own (a savepoint if the caller has one open). */
    async create (ctx: WriteContext, claimId: string, input: ReviewCreate, expected?: VersionCondition): Promise<Applied> {
      const at = new Date().toISOString()
      return await transaction(async () => await applyWithin(ctx, claimId, input, expected, at))
    },

    get: async (claimId: string, id: string): Promise<Review | undefined> => await reviews.get(claimId, id),
    list: async (claimId: string, limit: number, beforeId?: string): Promise<Review[]> => await reviews.list(claimId, limit, beforeId)
  }
}

export type ReviewsService = ReturnType<typeof createReviewsService>
