/** The appearances repository on PostgreSQL: the same operations as sqlite.ts, in its SQL. */
import { and, asc, eq, gt, inArray, lte, or } from 'drizzle-orm'
import type { Async } from '../../db/engine.js'
import type { PgQ } from '../../db/postgres/engine.js'
import { appearances, sources, speakers } from '../../db/postgres/schema.js'
import { toAppearance, type AppearancesRepository } from './repository.js'

export function createPostgresAppearancesRepository (q: PgQ): Async<AppearancesRepository> {
  const joined = () => q.select({ row: appearances, sourceTitle: sources.title, sourceUrl: sources.url, speakerName: speakers.name })
    .from(appearances)
    .innerJoin(sources, eq(sources.id, appearances.sourceId))
    .leftJoin(speakers, eq(speakers.id, appearances.speakerId))
  return {
    insert: async (row) => { await q.insert(appearances).values(row) },
    list: async (claimId, limit, after, recordedBy) => (await joined()
      .where(and(eq(appearances.claimId, claimId), after === undefined
        ? undefined
        : or(gt(appearances.appearedAt, after[0]), and(eq(appearances.appearedAt, after[0]), gt(appearances.id, after[1]))),
      recordedBy === undefined ? undefined : lte(appearances.createdAt, recordedBy)))
      .orderBy(asc(appearances.appearedAt), asc(appearances.id)).limit(limit)).map(toAppearance),
    ofClaims: async (claimIds) => claimIds.length === 0
      ? []
      : (await joined().where(inArray(appearances.claimId, claimIds))
          .orderBy(asc(appearances.claimId), asc(appearances.appearedAt), asc(appearances.id))).map(toAppearance)
  }
}
