/** Aggregates for dashboards and metrics, over a StatsRepository (read-only SQL, one per engine). */
import type { StatsRepository } from './repository.js'

export const STATS_DAYS = 30
export const TOP_SPEAKERS = 10

/** The last `days` UTC calendar dates, oldest first, ending today. */
export function lastDays (days: number, now = Date.now()): string[] {
  return Array.from({ length: days }, (_, i) => new Date(now - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10))
}

export function createStatsService ({ stats }: { stats: StatsRepository }) {
  /** Live claims by status (zero for a status no claim has). */
  function totals () {
    const byStatus = { unverified: 0, corroborated: 0, disputed: 0 }
    for (const { status, n } of stats.counters()) byStatus[status] = n
    return byStatus
  }

  return {
    totals,

    stats (now = Date.now()) {
      const byStatus = totals()
      const days = lastDays(STATS_DAYS, now)
      const perDay = new Map(stats.reviewsPerDay(days[0] as string).map((r) => [r.day, r.n]))
      return {
        totals: { claims: byStatus.unverified + byStatus.corroborated + byStatus.disputed, ...byStatus, reviews: stats.reviews() },
        reviewsPerDay: days.map((date) => ({ date, reviews: perDay.get(date) ?? 0 })),
        topSpeakers: stats.topSpeakers(TOP_SPEAKERS)
      }
    }
  }
}
