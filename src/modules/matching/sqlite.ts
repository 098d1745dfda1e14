/** The matching repository on SQLite: FTS5 with OR semantics, ranked by bm25. */
import { eq, inArray, isNull, sql, and } from 'drizzle-orm'
import type { Db } from '../../db/open.js'
import { claims, speakerNames, speakers } from '../../db/schema.js'
import { fromListedRow, LISTED_ROWID, prepareRaw, selectListedIn } from '../claims/rows.js'
import type { MatchingRepository, SearchTerm } from './repository.js'

/** The FTS5 query for any of `terms`: each quoted (so no word is syntax), a prefix where asked. */
export const anyOf = (terms: SearchTerm[]): string => terms.map(({ term, prefix }) => `"${term}"${prefix ? '*' : ''}`).join(' OR ')

export function createSqliteMatchingRepository (db: Db): MatchingRepository {
  const ranked = db.$client.prepare(`SELECT rowid FROM claims_fts WHERE claims_fts MATCH ?
    ORDER BY bm25(claims_fts, 10.0, 5.0, 1.0, 3.0), rowid LIMIT ?`).pluck()
  const rankedIn = db.$client.prepare(`SELECT f.rowid FROM claims_fts f JOIN claims c ON c.rowid = f.rowid
    WHERE claims_fts MATCH ? AND c.language = ? ORDER BY bm25(claims_fts, 10.0, 5.0, 1.0, 3.0), f.rowid LIMIT ?`).pluck()
  const byRowids = prepareRaw(db, selectListedIn(db)()
    .where(and(isNull(claims.deletedAt), sql`${claims}.rowid IN (SELECT value FROM json_each(${sql.placeholder('rowids')}))`)).getSQL(), true)
  return {
    candidates: (terms, limit, language) => {
      if (terms.length === 0) return []
      const rowids = (language === undefined ? ranked.all(anyOf(terms), limit) : rankedIn.all(anyOf(terms), language, limit)) as number[]
      if (rowids.length === 0) return []
      const rows = byRowids.all({ rowids: JSON.stringify(rowids) }) as unknown[][]
      const byRowid = new Map(rows.map((row) => [row[LISTED_ROWID] as number, fromListedRow(row)]))
      return rowids.flatMap((rowid) => byRowid.get(rowid) ?? [])
    },
    speakersNamed: (keys) => keys.length === 0
      ? []
      : db.select({ key: speakerNames.nameKey, speakerId: speakerNames.speakerId, name: speakers.name }).from(speakerNames)
        .innerJoin(speakers, eq(speakers.id, speakerNames.speakerId)).where(inArray(speakerNames.nameKey, keys)).all()
  }
}
