import { z } from 'zod'
import { claim, claimStatus } from '../claims/schemas.js'
import { documentExample } from '../../http/examples.js'
import { cursorParam, limitParam } from '../../http/pagination.js'
import { blankAsMissing, httpUrl, optionalText, pageOf, requiredText, timestamp, uuid, wellFormedString } from '../../http/schemas.js'
import { bulkReviewInput, bulkReviewResult, claimReviewExample, review as reviewExample, reviewCreateInput, reviewedClaim } from './examples.js'

export const stance = z.enum(['supports', 'refutes', 'context'])

export const evidence = z.strictObject({
  url: httpUrl.describe('http(s) URL of the evidence'),
  title: optionalText(500),
  stance: stance.describe('Whether the evidence supports or refutes the claim, or gives context')
}).meta({ id: 'Evidence' })

export const review = z.object({
  id: uuid,
  claimId: uuid,
  verdict: claimStatus,
  previousStatus: claimStatus.describe('The claim\'s status just before this review'),
  note: z.string(),
  evidence: z.array(z.object({ url: z.string(), title: z.string().optional(), stance })),
  reviewer: z.object({ id: z.string(), name: z.string() }).describe('The API key that posted the review'),
  clientRef: z.string().nullable().describe('The caller\'s reference sent with the review, if any'),
  createdAt: timestamp
}).meta({ id: 'Review', description: 'A verdict on a claim. Append-only: a correction is a new review.' })
documentExample(review, reviewExample)

export const reviewCreate = z.strictObject({
  verdict: claimStatus,
  note: requiredText(10000).describe('The reviewer\'s rationale; always required'),
  evidence: z.array(evidence).max(50, 'must have at most 50 items').default([])
    .describe('At least one item for corroborated and disputed (else 422)'),
  clientRef: blankAsMissing(wellFormedString().trim().max(200, 'must be at most 200 characters'))
    .describe('Your own reference for this review (a spreadsheet row, a job item), unique per API key like an ' +
      'Idempotency-Key. Sending a review with a clientRef this key already applied never applies it again: the ' +
      'same claim, verdict, note and evidence get the stored review back (`Idempotent-Replayed: true`), anything ' +
      'else a 409 naming the existing review. Kept for good, unlike Idempotency-Key; another key has its own.')
}).meta({ id: 'ReviewCreate' })
documentExample(reviewCreate, reviewCreateInput)

export const reviewCreated = z.object({ review, claim }).meta({ id: 'ReviewCreated' })
documentExample(reviewCreated, { review: reviewExample, claim: reviewedClaim })

/** schema.org ClaimReview (see claimreview.ts), documented by its example rather than field by field. */
export const claimReviewDocument = z.record(z.string(), z.unknown()).meta({ id: 'ClaimReview' })
documentExample(claimReviewDocument, claimReviewExample)

export const reviewListQuery = z.strictObject({ limit: limitParam, cursor: cursorParam })

export const reviewPage = pageOf(review, 'ReviewPage', { items: [reviewExample], nextCursor: null })

export type Review = z.infer<typeof review>
export type ReviewCreate = z.output<typeof reviewCreate>

export const bulkReviewItem = reviewCreate.extend({
  claimId: uuid.describe('The claim to review'),
  expectedVersion: z.number().int().min(1).optional()
    .describe('Apply only if the claim is at this version (the bulk If-Match), else this item fails with 412')
}).meta({ id: 'BulkReviewItem' })

export const bulkReview = z.strictObject({
  atomic: z.boolean().default(true).describe('true: all items apply or none does (422 listing the failures); ' +
    'false: each item applies on its own and `results` tells which did'),
  items: z.array(bulkReviewItem).min(1, 'must have at least 1 item').max(1000, 'must have at most 1000 items')
}).meta({ id: 'BulkReview' })
documentExample(bulkReview, bulkReviewInput)

const itemError = z.object({ status: z.number().int(), title: z.string(), detail: z.string() })

export const bulkItemResult = z.object({
  index: z.number().int().describe('Position in `items`'),
  claimId: z.string(),
  ok: z.boolean(),
  replayed: z.boolean().optional().describe('true: the item\'s clientRef had been applied before; `review` is that review'),
  review: review.optional(),
  error: itemError.optional()
}).meta({ id: 'BulkReviewResult' })

export const bulkReviewResponse = z.object({
  applied: z.number().int().describe('How many reviews were applied by this request'),
  replayed: z.number().int().describe('How many items named a clientRef applied before (not applied again)'),
  results: z.array(bulkItemResult).describe('One per item, in input order')
}).meta({ id: 'BulkReviewResponse' })
documentExample(bulkReviewResponse, bulkReviewResult)

export type BulkReview = z.output<typeof bulkReview>
export type BulkItemResult = z.output<typeof bulkItemResult>
