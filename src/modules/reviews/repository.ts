/** What the reviews service needs of storage (sqlite.ts today): reviews are only ever added and read. */
import type { Review } from './schemas.js'

export interface ReviewsRepository {
  insert: (review: Review) => void
  /** The review this key made under this clientRef, if any. */
  byClientRef: (reviewerId: string, clientRef: string) => Review | undefined
  get: (claimId: string, id: string) => Review | undefined
  /** Newest first, before `beforeId` when given. */
  list: (claimId: string, limit: number, beforeId?: string) => Review[]
}

/** A reviews row as either engine returns it. */
export type ReviewRow = Omit<Review, 'reviewer'> & { reviewerId: string, reviewerName: string }

export const toReview = (row: ReviewRow): Review => ({
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
