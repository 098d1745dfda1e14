/**
 * Which of a statement's words the candidate search uses, so that its cost stays flat as the
 * store grows. A full-text search ranks every claim its query matches, and the common words of a
 * large store ("said", "government", "forces") are in hundreds of thousands of claims: at 100k
 * claims, ranking the claims holding any of a statement's words took 88 of a match's 100 ms.
 *
 * - While the claims holding the words add up to POSTINGS_BUDGET or less (a small store), the
 *   search is the plain OR of them all.
 * - Past that, a candidate must hold two of the statement's rarer words (any two of the PAIRED
 *   rarest of the words too common alone, each pair within PAIR_BUDGET), or one word so rare it
 *   tells alone (a name, a number: in RARE claims or fewer). A word here is any of its forms and
 *   synonyms ("forces": forc*, troop*, soldier*…), its claims counted together: two synonyms of
 *   one word are no pair. A restated claim keeps most of its rare words; two of them together are
 *   in few other claims, so the search ranks few.
 * - When no pair fits (every word is common), the claims holding both of the two rarest words.
 *
 * Measured at 1M generated claims, each query a stored claim with one (or three) of its words left
 * out, 300 queries: the stored claim among the candidates 299 (297) times, the search 4.8 (5.0) ms
 * p50; the OR of the rarest words within 10,000 postings found it 268 times with one word left out.
 * `npm run bench`'s match scenario times the whole request.
 */
import { LRUCache } from 'lru-cache'
import type { SearchTerm } from './repository.js'

/** Claims holding the words, summed, up to which a search uses every word. */
export const POSTINGS_BUDGET = 10_000
/** How many of the rarest words are paired. */
export const PAIRED = 4
/** A pair's two words' claims, summed, at most. */
export const PAIR_BUDGET = 20_000
/** A word in this many claims or fewer finds candidates alone. */
export const RARE = 200

/** One of the statement's words: any of its forms and synonyms (an OR). */
export type Unit = SearchTerm[]

/** Candidates hold every unit of at least one group: an OR of ANDs of ORs. */
export interface CandidatePlan { groups: Unit[][] }

/**
 * The search for `terms`, given how many claims hold each (`counts[i]` for `terms[i]`, an
 * estimate). A term's `word` says which of the statement's words it stands for: a word's forms
 * and synonyms count together, as one word, when words are weighed against each other.
 */
export function planCandidates (terms: Array<SearchTerm & { word?: number }>, counts: number[], budget = POSTINGS_BUDGET): CandidatePlan {
  const counted = terms.map((term, i) => ({ term, count: counts[i] ?? 0 }))
  if (counted.reduce((sum, t) => sum + t.count, 0) <= budget) {
    return { groups: counted.sort(rarestFirst).map((t) => [[t.term]]) }
  }
  const byWord = new Map<number | string, { terms: SearchTerm[], count: number, length: number }>()
  for (const { term, count } of counted) {
    const key = term.word ?? term.term
    const unit = byWord.get(key) ?? { terms: [], count: 0, length: 0 }
    byWord.set(key, { terms: [...unit.terms, { term: term.term, prefix: term.prefix }], count: unit.count + count, length: Math.max(unit.length, term.term.length) })
  }
  const words = [...byWord.values()].sort((a, b) => a.count - b.count || b.length - a.length)
  const alone = words.filter((w) => w.count <= RARE)
  // A pair with a word that finds candidates alone would find no more.
  const paired = words.filter((w) => w.count > RARE).slice(0, PAIRED)
  const pairs = paired.flatMap((a, i) => paired.slice(i + 1).filter((b) => a.count + b.count <= PAIR_BUDGET).map((b) => [a.terms, b.terms]))
  if (alone.length + pairs.length > 0) return { groups: [...alone.map((w) => [w.terms]), ...pairs] }
  return { groups: [words.slice(0, 2).map((w) => w.terms)] }
}

const rarestFirst = (a: { term: SearchTerm, count: number }, b: { term: SearchTerm, count: number }) =>
  a.count - b.count || b.term.term.length - a.term.term.length

/** How many claims held each word lately, shared by every request: counts change slowly, and a stale one only moves a word up or down the order. */
export const createTermCounts = () => new LRUCache<string, number>({ max: 100_000, ttl: 10 * 60_000 })
export type TermCounts = ReturnType<typeof createTermCounts>
