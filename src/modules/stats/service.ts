/** Aggregates for dashboards and metrics, over a StatsRepository (read-only SQL, one per engine). */
import type { Repository } from '../../db/engine.js'
import type { StatsRepository } from './repository.js'

export const STATS_DAYS = 30
export const TOP_SPEAKERS = 10
/** How many of a speaker's newest verdicts the record lists. */
export const RECORD_LATEST = 10

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

    /**
     * A speaker's verdict record (the scorecard newsrooms publish), from live data: live claims
     * by status, the share of those with a verdict that were corroborated or disputed, the
     * newest verdicts, and the same counts per month the claims were made, oldest first.
     */
    async speakerRecord (speaker: { id: string, name: string }) {
      const [months, latest] = await Promise.all([stats.speakerMonths(speaker.id), stats.speakerVerdicts(speaker.id, RECORD_LATEST)])
      const empty = () => ({ claims: 0, unverified: 0, corroborated: 0, disputed: 0 })
      const totals = empty()
      const byMonth = new Map<string, ReturnType<typeof empty>>()
      for (const { month, status, n } of months) {
        const counts = byMonth.get(month) ?? empty()
        byMonth.set(month, counts)
        for (const c of [counts, totals]) {
          c[status] += n
          c.claims += n
        }
      }
      const reviewed = totals.corroborated + totals.disputed
      const share = (n: number) => Math.round((n / reviewed) * 1000) / 1000
      return {
        speaker: { id: speaker.id, name: speaker.name },
        totals,
        shares: reviewed === 0 ? null : { corroborated: share(totals.corroborated), disputed: share(totals.disputed) },
        latest,
        monthly: [...byMonth].sort(([a], [b]) => (a < b ? -1 : 1)).map(([month, counts]) => ({ month, ...counts }))
      }
    },

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
