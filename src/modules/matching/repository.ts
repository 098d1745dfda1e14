/**
 * What matching needs of storage: candidates from the full-text index, and speakers by the
 * names a statement calls them. One implementation per engine; the scoring lives once, in
 * service.ts.
 */
import type { Claim } from '../claims/schemas.js'

/** A word to find: a stem as a prefix (`kill` finds "killed"), or a word exactly. */
export interface SearchTerm { term: string, prefix: boolean }

export interface MatchingRepository {
  /**
   * Live claims whose text, quote, context or speaker names hold any of `terms` (and in
   * `language`, if given), the best BM25-ranked first (text weighs most), at most `limit`.
   */
  candidates: (terms: SearchTerm[], limit: number, language?: string) => Claim[]
  /** The speaker each of `keys` (folded names or aliases, src/text.ts foldKey) names, if any. */
  speakersNamed: (keys: string[]) => Array<{ key: string, speakerId: string, name: string }>
}
