/**
 * Bulk review for scripts: up to 1000 verdicts checked exactly like single reviews
 * (`expectedVersion` standing in for If-Match). The whole request is one transaction; an
 * item that fails its checks has written nothing (see `applyWithin`): `atomic` requests roll
 * everything back on any failure, non-atomic ones keep the items that passed. The stored
 * idempotent response commits in that same transaction, so "stored" always means "applied",
 * even across a crash.
 */
import { type WriteContext } from '../../core/context.js'
import { DomainError, RuleViolated } from '../../core/errors.js'
import { requestHash, type IdempotencyService, type StoredResponse } from '../idempotency/service.js'
import type { BulkReview, BulkItemResult } from './schemas.js'
import type { ReviewsService } from './service.js'

export interface BulkOutcome extends StoredResponse { replayed: boolean }

/** How an item's failure reads in the answer (the HTTP layer's problem mapping: see itemError). */
export type DescribeError = (error: DomainError) => NonNullable<BulkItemResult['error']>

/** What bulk review needs: a transaction, and in it the reviews it applies and the responses it stores. */
export interface BulkReviewDeps {
  transaction: <T>(fn: (tx: { reviews: Pick<ReviewsService, 'applyWithin'>, idempotency: IdempotencyService }) => Promise<T>) => Promise<T>
}

/**
 * A stored answer in today's shape. One stored before clientRefs (migration 0004) has no
 * `replayed` count and reviews without `clientRef`: none of its items was a replay, and none
 * of its reviews had a clientRef.
 */
function asStoredToday (body: unknown): unknown {
  const { replayed = 0, results = [], ...rest } = body as { replayed?: number, results?: Array<{ review?: object }> }
  const withRef = (review: object) => ({ clientRef: null, ...review })
  return { ...rest, replayed, results: results.map((r) => (r.review === undefined ? r : { ...r, review: withRef(r.review) })) }
}

export async function bulkReview (services: BulkReviewDeps, ctx: WriteContext, body: BulkReview, describe: DescribeError, idempotencyKey?: string): Promise<BulkOutcome> {
  const hash = requestHash(body)
  return await services.transaction(async (tx) => {
    if (idempotencyKey !== undefined) {
      const stored = await tx.idempotency.recall(ctx.actor.id, idempotencyKey, hash)
      if (stored !== undefined) return { ...stored, body: asStoredToday(stored.body), replayed: true }
    }
    const at = new Date().toISOString()
    const results: BulkItemResult[] = []
    // One item at a time, in order: each sees the ones before it (the same claim twice, say).
    for (const [index, { claimId, expectedVersion, ...review }] of body.items.entries()) {
      try {
        const expected = expectedVersion === undefined ? undefined : [expectedVersion]
        const applied = await tx.reviews.applyWithin(ctx, claimId, review, expected, at)
        results.push({ index, claimId, ok: true, ...(applied.replayed ? { replayed: true } : {}), review: applied.review })
      } catch (error) {
        if (!(error instanceof DomainError)) throw error
        const { status, title, detail } = describe(error)
        results.push({ index, claimId, ok: false, error: { status, title, detail } })
      }
    }
    const failed = results.filter((r) => !r.ok)
    if (body.atomic && failed.length > 0) {
      throw new RuleViolated(`${failed.length} of ${results.length} items failed, so none was applied (atomic)`,
        { errors: failed.map((r) => ({ index: r.index, claimId: r.claimId, ...r.error })) })
    }
    const replayed = results.filter((r) => r.replayed === true).length
    const response = { statusCode: 200, body: { applied: results.length - failed.length - replayed, replayed, results } }
    if (idempotencyKey !== undefined) await tx.idempotency.remember(ctx.actor.id, idempotencyKey, hash, response)
    return { ...response, replayed: false }
  })
}
