/**
 * What matching needs of storage: candidates from the full-text indexes, how many claims hold a
 * word, and speakers by the names a statement calls them. One implementation per engine; the
 * planning and scoring live once, in plan.ts and service.ts.
 */
import type { Claim } from '../claims/schemas.js'

/** A word to find: a stem as a prefix (`kill` finds "killed"), or a word exactly. */
export interface SearchTerm { term: string, prefix: boolean }

export interface CandidateQuery {
  /** A candidate holds, for at least one group, any term of each of its units (an OR of ANDs of ORs: plan.ts). */
  groups: SearchTerm[][][]
  limit: number
  language?: string | undefined
  /** Claims never to answer (an import's own claims: matching's possibleMatches). */
  exclude?: string[] | undefined
}

/** A live claim, with the quotes of its appearances (other places it was made). */
export interface Candidate { claim: Claim, quotes: string[] }

export interface MatchingRepository {
  /**
   * Live claims (in `language`, if given) holding the groups' terms in their text, quote, context or
   * speaker names, the best BM25-ranked first (text weighs most), at most `limit`; then those
   * whose appearances' quotes hold them, ranked likewise, at most a quarter of `limit` more.
   */
  candidates: (query: CandidateQuery) => Candidate[]
  /**
   * How many live claims hold each term (a prefix term: the sum over the words it begins),
   * in order. An estimate where the engine keeps only statistics (PostgreSQL).
   */
  claimsHolding: (terms: SearchTerm[]) => number[]
  /** The speaker each of `keys` (folded names or aliases, src/text.ts foldKey) names, if any. */
  speakersNamed: (keys: string[]) => Array<{ key: string, speakerId: string, name: string }>
}
