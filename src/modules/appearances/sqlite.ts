/** The appearances repository on SQLite. */
import { and, asc, eq, gt, or } from 'drizzle-orm'
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
  return {
    insert: (row) => { db.insert(appearances).values(row).run() },
    list: (claimId, limit, after) => db.select(columns).from(appearances)
      .innerJoin(sources, eq(sources.id, appearances.sourceId))
      .leftJoin(speakers, eq(speakers.id, appearances.speakerId))
      .where(and(eq(appearances.claimId, claimId), after === undefined
        ? undefined
        : or(gt(appearances.appearedAt, after[0]), and(eq(appearances.appearedAt, after[0]), gt(appearances.id, after[1])))))
      .orderBy(asc(appearances.appearedAt), asc(appearances.id)).limit(limit).all().map(toAppearance)
  }
}
