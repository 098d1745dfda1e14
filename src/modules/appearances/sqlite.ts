/** The appearances repository on SQLite. */
import { and, asc, eq, gt, inArray, lte, or } from 'drizzle-orm'
import type { Db } from '../../db/open.js'
import { appearances, sources, speakers } from '../../db/schema.js'
import { toAppearance, type AppearancesRepository } from './repository.js'

const columns = {
  row: appearances,
  sourceTitle: sources.title,
  sourceUrl: sources.url,
  speakerName: speakers.name
}

export function createSqliteAppearancesRepository (db: Db): AppearancesRepository {
  const joined = () => db.select(columns).from(appearances)
    .innerJoin(sources, eq(sources.id, appearances.sourceId))
    .leftJoin(speakers, eq(speakers.id, appearances.speakerId))
  return {
    insert: (row) => { db.insert(appearances).values(row).run() },
    list: (claimId, limit, after, recordedBy) => joined()
      .where(and(eq(appearances.claimId, claimId), after === undefined
        ? undefined
        : or(gt(appearances.appearedAt, after[0]), and(eq(appearances.appearedAt, after[0]), gt(appearances.id, after[1]))),
      recordedBy === undefined ? undefined : lte(appearances.createdAt, recordedBy)))
      .orderBy(asc(appearances.appearedAt), asc(appearances.id)).limit(limit).all().map(toAppearance),
    ofClaims: (claimIds) => claimIds.length === 0
      ? []
      : joined().where(inArray(appearances.claimId, claimIds))
        .orderBy(asc(appearances.claimId), asc(appearances.appearedAt), asc(appearances.id)).all().map(toAppearance)
  }
}
