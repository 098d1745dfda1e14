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
}
