/**
 * The matching repository on PostgreSQL: the `search` tsvectors (claims, appearances' quotes)
 * ranked by ts_rank, and how many claims hold a word estimated from the planner's statistics of
 * claims.search (pg_stats: its most common lexemes and their frequencies), which cost nothing
 * to read; a word not among them is rarer than all of them, and taken at half the least of them,
 * as PostgreSQL's own estimates take it (0 before the table was ever analysed). (The service
 * keeps the counts for a while: this reads pg_stats only for words it has not seen lately.)
 */
import { and, asc, desc, eq, inArray, isNotNull, isNull, notInArray, sql, type SQL } from 'drizzle-orm'
import type { Async } from '../../db/engine.js'
import type { PgQ } from '../../db/postgres/engine.js'
import { appearances, claims, sources, speakerNames, speakers } from '../../db/postgres/schema.js'
import { WEIGHTS } from '../claims/lists-postgres.js'
import { toClaim } from '../claims/rows.js'
import type { Candidate, MatchingRepository, SearchTerm } from './repository.js'

const lexeme = ({ term, prefix }: SearchTerm) => `${term}${prefix ? ':*' : ''}`

const either = (terms: SearchTerm[]) => terms.length === 1 ? lexeme(terms[0] as SearchTerm) : `(${terms.map(lexeme).join(' | ')})`

/** The tsquery text for an OR of ANDs of ORs of terms (plan.ts; each a run of letters or digits: never tsquery syntax). */
export const tsQuery = (groups: SearchTerm[][][]): string =>
  groups.map((group) => group.length === 1 ? either(group[0] as SearchTerm[]) : `(${group.map(either).join(' & ')})`).join(' | ')

export function createPostgresMatchingRepository (q: PgQ): Async<MatchingRepository> {
  /** The claims table's row estimate, and the share of its rows holding each of the most common lexemes. */
  async function lexemeStats (): Promise<{ rows: number, frequency: Map<string, number>, unlisted: number }> {
    const { rows } = await q.execute<{ elems: string[] | null, freqs: number[] | null, reltuples: number, nullFrac: number | null }>(sql`
      SELECT s.most_common_elems::text::text[] AS elems, s.most_common_elem_freqs AS freqs, c.reltuples::float8 AS reltuples,
        s.null_frac::float8 AS "nullFrac"
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = 'search'
      WHERE c.oid = 'claims'::regclass`)
    const [row] = rows
    const elems = row?.elems ?? []
    const freqs = row?.freqs ?? []
    // Frequencies are of the non-null vectors (a deleted claim has none); after the lexemes' own
    // come the least and the greatest of them: a lexeme not listed is taken at half the least, as
    // PostgreSQL's own estimates take it.
    const listed = new Map(elems.map((e, i) => [e, freqs[i] ?? 0]))
    const unlisted = elems.length === 0 ? 0 : (freqs[elems.length] ?? 0) / 2
    return { rows: Math.max(0, row?.reltuples ?? 0) * (1 - (row?.nullFrac ?? 0)), frequency: listed, unlisted }
  }

  const claimsByIds = (where: SQL | undefined) => q.select({ claim: claims, speakerName: speakers.name, sourceTitle: sources.title, sourceUrl: sources.url })
    .from(claims)
    .innerJoin(speakers, eq(speakers.id, claims.speakerId))
    .innerJoin(sources, eq(sources.id, claims.sourceId))
    .where(and(isNull(claims.deletedAt), where))

  return {
    candidates: async ({ groups, limit, language, exclude = [] }) => {
      if (groups.length === 0) return []
      const tsquery = sql`to_tsquery('claimledger', ${tsQuery(groups)})`
      const inLanguage = and(language === undefined ? undefined : eq(claims.language, language), exclude.length === 0 ? undefined : notInArray(claims.id, exclude))
      const direct = (await claimsByIds(and(sql`${claims.search} @@ ${tsquery}`, inLanguage))
        .orderBy(desc(sql`ts_rank(${WEIGHTS}, ${claims.search}, ${tsquery})`), asc(claims.id)).limit(limit)).map(toClaim)
      const quoted = await q.select({ claimId: appearances.claimId }).from(appearances)
        .innerJoin(claims, eq(claims.id, appearances.claimId))
        .where(and(isNotNull(appearances.quote), sql`appearances.search @@ ${tsquery}`, isNull(claims.deletedAt), inLanguage))
        .groupBy(appearances.claimId)
        .orderBy(desc(sql`max(ts_rank(appearances.search, ${tsquery}))`), asc(appearances.claimId)).limit(Math.ceil(limit / 4))
      const seen = new Set(direct.map((c) => c.id))
      const more = quoted.map((r) => r.claimId).filter((id) => !seen.has(id))
      const extra = more.length === 0 ? [] : (await claimsByIds(inArray(claims.id, more))).map(toClaim)
      const found = [...direct, ...more.flatMap((id) => extra.find((c) => c.id === id) ?? [])]
      const quotes = new Map<string, string[]>(found.map((c) => [c.id, []]))
      const rows = await q.select({ claimId: appearances.claimId, quote: appearances.quote }).from(appearances)
        .where(and(inArray(appearances.claimId, found.map((c) => c.id)), isNotNull(appearances.quote)))
        .orderBy(asc(appearances.appearedAt), asc(appearances.id))
      for (const { claimId, quote } of rows) quotes.get(claimId)?.push(quote as string)
      return found.map((claim): Candidate => ({ claim, quotes: quotes.get(claim.id) ?? [] }))
    },
    claimsHolding: async (terms) => {
      const { rows, frequency, unlisted } = await lexemeStats()
      // A prefix: its listed lexemes, and as many again unlisted as one (an estimate: pg_stats knows no more).
      const share = (term: SearchTerm) => term.prefix
        ? [...frequency].reduce((sum, [lexeme, f]) => lexeme.startsWith(term.term) ? sum + f : sum, unlisted)
        : frequency.get(term.term) ?? unlisted
      return terms.map((term) => Math.round(share(term) * rows))
    },
    speakersNamed: async (keys) => keys.length === 0
      ? []
      : await q.select({ key: speakerNames.nameKey, speakerId: speakerNames.speakerId, name: speakers.name }).from(speakerNames)
        .innerJoin(speakers, eq(speakers.id, speakerNames.speakerId)).where(inArray(speakerNames.nameKey, keys))
  }
}
