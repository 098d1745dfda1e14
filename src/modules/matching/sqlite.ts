/** The matching repository on SQLite: FTS5 ranked by bm25, word counts from its vocabulary (fts5vocab). */
import { eq, inArray, isNull, sql, and } from 'drizzle-orm'
import type { Db } from '../../db/open.js'
import { claims, speakerNames, speakers } from '../../db/schema.js'
import { fromListedRow, LISTED_ROWID, prepareRaw, selectListedIn } from '../claims/rows.js'
import type { Candidate, MatchingRepository, SearchTerm } from './repository.js'

const phrase = ({ term, prefix }: SearchTerm) => `"${term}"${prefix ? '*' : ''}`

const either = (terms: SearchTerm[]) => terms.length === 1 ? phrase(terms[0] as SearchTerm) : `(${terms.map(phrase).join(' OR ')})`

/** The FTS5 query for an OR of ANDs of ORs of terms (plan.ts): each quoted (so no word is syntax), a prefix where asked. */
export const ftsQuery = (groups: SearchTerm[][][]): string =>
  groups.map((group) => group.length === 1 ? either(group[0] as SearchTerm[]) : `(${group.map(either).join(' AND ')})`).join(' OR ')

/** The first string after every string that begins with `prefix` ("kill" → "kilm"). */
const pastPrefix = (prefix: string) => prefix.slice(0, -1) + String.fromCodePoint((prefix.codePointAt(prefix.length - 1) as number) + 1)

/** Up to this many claims to leave out are dropped after the search rather than by it. */
const FEW = 16

export function createSqliteMatchingRepository (db: Db): MatchingRepository {
  const client = db.$client
  const RANK = 'bm25(claims_fts, 10.0, 5.0, 1.0, 3.0)'
  const ranked = client.prepare(`SELECT rowid FROM claims_fts WHERE claims_fts MATCH ? ORDER BY ${RANK}, rowid LIMIT ?`).pluck()
  // With a language or claims to leave out: each match's claim row is read (not needed otherwise).
  const rankedWhere = client.prepare(`SELECT f.rowid FROM claims_fts f JOIN claims c ON c.rowid = f.rowid
    WHERE claims_fts MATCH @match AND (@language IS NULL OR c.language = @language)
      AND (@exclude IS NULL OR c.id NOT IN (SELECT value FROM json_each(@exclude)))
    ORDER BY ${RANK}, f.rowid LIMIT @limit`).pluck()
  // Through appearances: the claim (rowid) of each matching quote, best first; a claim repeated often counts once.
  const viaQuotes = client.prepare(`SELECT claim FROM (
      SELECT c.rowid AS claim, bm25(appearances_fts) AS rank FROM appearances_fts f JOIN appearances a ON a.rowid = f.rowid
      JOIN claims c ON c.id = a.claim_id WHERE appearances_fts MATCH @match AND c.deleted_at IS NULL
        AND (@language IS NULL OR c.language = @language)
        AND (@exclude IS NULL OR c.id NOT IN (SELECT value FROM json_each(@exclude)))
      ORDER BY rank LIMIT 4 * @limit)
    GROUP BY claim ORDER BY min(rank), claim LIMIT @limit`).pluck()
  const quotesOf = client.prepare(`SELECT claim_id, quote FROM appearances
    WHERE claim_id IN (SELECT value FROM json_each(?)) AND quote IS NOT NULL ORDER BY appeared_at, id`).raw()
  const exactly = client.prepare('SELECT doc FROM claims_fts_terms WHERE term = ?').pluck()
  const beginning = client.prepare('SELECT coalesce(sum(doc), 0) FROM claims_fts_terms WHERE term >= ? AND term < ?').pluck()
  const byRowids = prepareRaw(db, selectListedIn(db)()
    .where(and(isNull(claims.deletedAt), sql`${claims}.rowid IN (SELECT value FROM json_each(${sql.placeholder('rowids')}))`)).getSQL(), true)

  return {
    candidates: ({ groups, limit, language, exclude = [] }) => {
      if (groups.length === 0) return []
      const match = ftsQuery(groups)
      // A few claims to leave out (a new claim itself) are fetched and dropped; many (an import's) are left out by the query.
      const few = exclude.length <= FEW
      const filters = { language: language ?? null, exclude: few ? null : JSON.stringify(exclude) }
      const direct = (language === undefined && few ? ranked.all(match, limit + exclude.length) : rankedWhere.all({ match, limit: limit + (few ? exclude.length : 0), ...filters })) as number[]
      const quoted = viaQuotes.all({ match, limit: Math.ceil(limit / 4), ...filters }) as number[]
      const rowids = [...new Set([...direct, ...quoted])]
      if (rowids.length === 0) return []
      const rows = byRowids.all({ rowids: JSON.stringify(rowids) }) as unknown[][]
      const byRowid = new Map(rows.map((row) => [row[LISTED_ROWID] as number, fromListedRow(row)]))
      const excluded = new Set(exclude)
      const found = rowids.flatMap((rowid) => byRowid.get(rowid) ?? []).filter((claim) => !excluded.has(claim.id))
      const quotes = new Map<string, string[]>(found.map((claim) => [claim.id, []]))
      for (const [claimId, quote] of quotesOf.all(JSON.stringify(found.map((c) => c.id))) as Array<[string, string]>) quotes.get(claimId)?.push(quote)
      return found.map((claim): Candidate => ({ claim, quotes: quotes.get(claim.id) ?? [] }))
    },
    claimsHolding: (terms) => terms.map(({ term, prefix }) =>
      (prefix ? beginning.get(term, pastPrefix(term)) : exactly.get(term) ?? 0) as number),
    speakersNamed: (keys) => keys.length === 0
      ? []
      : db.select({ key: speakerNames.nameKey, speakerId: speakerNames.speakerId, name: speakers.name }).from(speakerNames)
        .innerJoin(speakers, eq(speakers.id, speakerNames.speakerId)).where(inArray(speakerNames.nameKey, keys)).all()
  }
}
