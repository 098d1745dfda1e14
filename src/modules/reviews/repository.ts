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
