import { z } from 'zod'
import { claim, claimStatus } from '../claims/schemas.js'
import { cursorParam, limitParam } from '../http/pagination.js'
import { httpUrl, optionalText, pageOf, requiredText, timestamp, uuid } from '../http/schemas.js'

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
  createdAt: timestamp
}).meta({ id: 'Review', description: 'A verdict on a claim. Append-only: a correction is a new review.' })

export const reviewCreate = z.strictObject({
  verdict: claimStatus,
  note: requiredText(10000).describe('The reviewer\'s rationale; always required'),
  evidence: z.array(evidence).max(50, 'must have at most 50 items').default([])
    .describe('At least one item for corroborated and disputed (else 422)')
}).meta({ id: 'ReviewCreate' })

export const reviewCreated = z.object({ review, claim }).meta({ id: 'ReviewCreated' })

export const reviewListQuery = z.strictObject({ limit: limitParam, cursor: cursorParam })

export const reviewPage = pageOf(review, 'ReviewPage')

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

const itemError = z.object({ status: z.number().int(), title: z.string(), detail: z.string() })

export const bulkItemResult = z.object({
  index: z.number().int().describe('Position in `items`'),
  claimId: z.string(),
  ok: z.boolean(),
  review: review.optional(),
  error: itemError.optional()
}).meta({ id: 'BulkReviewResult' })

export const bulkReviewResponse = z.object({
  applied: z.number().int().describe('How many reviews were applied'),
  results: z.array(bulkItemResult).describe('One per item, in input order')
}).meta({ id: 'BulkReviewResponse' })

export type BulkReview = z.output<typeof bulkReview>
export type BulkItemResult = z.output<typeof bulkItemResult>
