/** What the stats service needs of storage (sqlite.ts, postgres.ts): counts, read-only. */
import type { Claim } from '../claims/schemas.js'

export interface StatsRepository {
  /** Live claims by status, from the counters the write transactions keep (never a count of claims). */
  counters: () => Array<{ status: Claim['status'], n: number }>
  reviews: () => number
  /** Reviews per UTC date (YYYY-MM-DD) from `firstDay` on; dates without reviews are absent. */
  reviewsPerDay: (firstDay: string) => Array<{ day: string, n: number }>
  /** Speakers with the most live claims, most first, ties by name. */
  topSpeakers: (limit: number) => Array<{ id: string, name: string, claims: number }>
  /**
   * A speaker's live claims counted by the month they were made (YYYY-MM of claimedAt) and
   * status, read through the speaker's own range of an index led by speaker_id (SQLite picks the live claims' duplicate index): the cost is
   * that speaker's claims, never the table.
   */
  speakerMonths: (speakerId: string) => Array<{ month: string, status: Claim['status'], n: number }>
  /** The newest reviews of a speaker's live claims, newest first (each claim's through reviews_claim_idx). */
  speakerVerdicts: (speakerId: string, limit: number) => Array<{ claimId: string, text: string, verdict: Claim['status'], reviewedAt: string }>
}
