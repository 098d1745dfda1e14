/** Aggregates for dashboards and metrics, over a StatsRepository (read-only SQL, one per engine). */
import type { Repository } from '../../db/engine.js'
import type { StatsRepository } from './repository.js'

export const STATS_DAYS = 30
export const TOP_SPEAKERS = 10

/** The last `days` UTC calendar dates, oldest first, ending today. */
export function lastDays (days: number, now = Date.now()): string[] {
  return Array.from({ length: days }, (_, i) => new Date(now - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10))
}

export function createStatsService ({ stats }: { stats: Repository<StatsRepository> }) {
  /** Live claims by status (zero for a status no claim has). */
  async function totals () {
    const byStatus = { unverified: 0, corroborated: 0, disputed: 0 }
    for (const { status, n } of await stats.counters()) byStatus[status] = n
    return byStatus
  }

  return {
    totals,

    async stats (now = Date.now()) {
      const days = lastDays(STATS_DAYS, now)
      const [byStatus, reviews, perDay, topSpeakers] = await Promise.all([
        totals(), stats.reviews(), stats.reviewsPerDay(days[0] as string), stats.topSpeakers(TOP_SPEAKERS)
      ])
      const reviewsOn = new Map(perDay.map((r) => [r.day, r.n]))
      return {
        totals: { claims: byStatus.unverified + byStatus.corroborated + byStatus.disputed, ...byStatus, reviews },
        reviewsPerDay: days.map((date) => ({ date, reviews: reviewsOn.get(date) ?? 0 })),
        topSpeakers
      }
    }
  }
}
