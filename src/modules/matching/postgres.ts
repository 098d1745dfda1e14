/** The matching repository on PostgreSQL: the `search` tsvector with OR semantics, ranked by ts_rank. */
import { and, desc, asc, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { Async } from '../../db/engine.js'
import type { PgQ } from '../../db/postgres/engine.js'
import { claims, sources, speakerNames, speakers } from '../../db/postgres/schema.js'
import { WEIGHTS } from '../claims/lists-postgres.js'
import { toClaim } from '../claims/rows.js'
import type { MatchingRepository, SearchTerm } from './repository.js'

/** The tsquery text for any of `terms` (each a run of letters or digits: never tsquery syntax). */
export const anyOf = (terms: SearchTerm[]): string => terms.map(({ term, prefix }) => `${term}${prefix ? ':*' : ''}`).join(' | ')

export function createPostgresMatchingRepository (q: PgQ): Async<MatchingRepository> {
  return {
    candidates: async (terms, limit, language) => {
      if (terms.length === 0) return []
      const tsquery = sql`to_tsquery('claimledger', ${anyOf(terms)})`
      const rank = sql`ts_rank(${WEIGHTS}, ${claims.search}, ${tsquery})`
      const rows = await q.select({ claim: claims, speakerName: speakers.name, sourceTitle: sources.title, sourceUrl: sources.url })
        .from(claims)
        .innerJoin(speakers, eq(speakers.id, claims.speakerId))
        .innerJoin(sources, eq(sources.id, claims.sourceId))
        .where(and(isNull(claims.deletedAt), sql`${claims.search} @@ ${tsquery}`, language === undefined ? undefined : eq(claims.language, language)))
        .orderBy(desc(rank), asc(claims.id)).limit(limit)
      return rows.map(toClaim)
    },
    speakersNamed: async (keys) => keys.length === 0
      ? []
      : await q.select({ key: speakerNames.nameKey, speakerId: speakerNames.speakerId, name: speakers.name }).from(speakerNames)
        .innerJoin(speakers, eq(speakers.id, speakerNames.speakerId)).where(inArray(speakerNames.nameKey, keys))
  }
}
