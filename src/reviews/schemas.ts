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
