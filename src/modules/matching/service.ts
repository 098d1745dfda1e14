/**
 * "Has this been checked before?": the stored claims most like a statement, best first, each
 * with a score that means the same across queries (score.ts) and the reasons for it. Candidates
 * come from the full-text index with OR semantics over the statement's content words (any of
 * them, stemmed; the rarer ones only in a large store: plan.ts), the best-ranked CANDIDATES of
 * them (and a few more through their appearances' quotes) are scored in full against the
 * claim's text, its quote and its appearances' quotes, and the best `limit` above `minScore`
 * are answered. Deleted claims are never candidates, so never match.
 */
import { RuleViolated } from '../../core/errors.js'
import type { Repository } from '../../db/engine.js'
import { foldKey } from '../../text.js'
import type { Claim } from '../claims/schemas.js'
import type { ReviewsRepository } from '../reviews/repository.js'
import type { Review } from '../reviews/schemas.js'
import type { SpeakersService } from '../speakers/service.js'
import { analyse, fold, reportsSpeech, searchTerms, type Analysis } from './analyse.js'
import { planCandidates, type TermCounts } from './plan.js'
import type { MatchingRepository, SearchTerm } from './repository.js'
import { score, type Reason } from './score.js'

/** How many of the index's best candidates are scored in full. */
export const CANDIDATES = 50
/** How many of a candidate's appearances' quotes are scored, at most (the earliest): a claim quoted thousands of times costs no more. */
export const QUOTES_SCORED = 20

/** The score from which a stored claim is worth a look ("the same subject"): what a new claim's `possibleMatches` list. */
export const POSSIBLE_MATCH = 0.5

export interface MatchQuery {
  text: string
  speakerId?: string | undefined
  claimedAt?: string | undefined
  language?: string | undefined
  limit: number
  minScore: number
}

export interface Match {
  claim: Claim
  score: number
  reasons: Reason[]
  /** The claim's newest review, in short; null while it has none. */
  latestReview: { id: string, verdict: Review['verdict'], note: string, reviewer: Review['reviewer'], createdAt: string } | null
}

export interface MatchingDeps {
  matching: Repository<MatchingRepository>
  reviews: Pick<Repository<ReviewsRepository>, 'list'>
  speakers: Pick<SpeakersService, 'get'>
  /** How many claims hold each word (shared across requests). */
  termCounts: TermCounts
}

/** The words of a statement as written, without the punctuation around each. */
const wordsOf = (text: string) => text.split(/\s+/).map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')).filter((w) => w !== '')

/** Keys a name may be stored under: itself, "X's Y" as "Y of X" ("Azerbaijan's government" → "government of Azerbaijan"), each without accents too. */
function nameKeys (words: string[]): string[] {
  const key = foldKey(words.join(' '))
  const possessive = /^(.+?)['’]s (.+)$/u.exec(key)
  const keys = possessive === null ? [key] : [key, `${possessive[2] as string} of ${possessive[1] as string}`]
  // Names are stored with their accents: a name typed with accents it does not have is found without them.
  return [...new Set([...keys, ...keys.map(fold)])]
}

/**
 * Where a statement names who made it: the words just before a reporting verb ("Baku says…",
 * "Azerbaijan's government claimed…") or after "according to". Each span of up to five words
 * there, longest first, with the keys it may be stored under.
 */
function speakerSpans (words: string[]): Array<{ from: number, to: number, keys: string[] }> {
  const spans: Array<{ from: number, to: number, keys: string[] }> = []
  const folded = words.map(fold)
  for (let i = 0; i < words.length; i++) {
    if (reportsSpeech(folded[i] as string)) {
      for (let from = Math.max(0, i - 5); from < i; from++) spans.push({ from, to: i, keys: nameKeys(words.slice(from, i)) })
    }
    if (folded[i] === 'according' && folded[i + 1] === 'to') {
      for (let to = Math.min(words.length, i + 7); to > i + 2; to--) spans.push({ from: i + 2, to, keys: nameKeys(words.slice(i + 2, to)) })
    }
  }
  return spans.sort((a, b) => (b.to - b.from) - (a.to - a.from))
}

const daysApart = (a: string, b: string) => Math.abs(Date.parse(a) - Date.parse(b)) / 86_400_000

export function createMatchingService ({ matching, reviews, speakers, termCounts }: MatchingDeps) {
  /** The words to search candidates with (plan.ts), from counts kept in `termCounts` or read for the words missing there. */
  async function plan (terms: SearchTerm[]) {
    const key = ({ term, prefix }: SearchTerm) => `${prefix ? '*' : '='}${term}`
    const missing = terms.filter((t) => termCounts.get(key(t)) === undefined)
    if (missing.length > 0) {
      const counts = await matching.claimsHolding(missing)
      missing.forEach((t, i) => termCounts.set(key(t), counts[i] ?? 0))
    }
    return planCandidates(terms, terms.map((t) => termCounts.get(key(t)) ?? 0))
  }

  /** The speaker a statement names as its own, and the statement without that name. */
  async function namedSpeaker (text: string): Promise<{ speaker?: { id: string, name: string }, rest: string }> {
    const words = wordsOf(text)
    const spans = speakerSpans(words)
    if (spans.length === 0) return { rest: text }
    const found = await matching.speakersNamed([...new Set(spans.flatMap((s) => s.keys))])
    const byKey = new Map(found.map((f) => [f.key, f]))
    for (const span of spans) {
      const hit = span.keys.map((key) => byKey.get(key)).find((f) => f !== undefined)
      if (hit !== undefined) {
        return { speaker: { id: hit.speakerId, name: hit.name }, rest: [...words.slice(0, span.from), ...words.slice(span.to)].join(' ') }
      }
    }
    return { rest: text }
  }

  async function latestReview (claimId: string): Promise<Match['latestReview']> {
    const [newest] = await reviews.list(claimId, 1)
    if (newest === undefined) return null
    const { id, verdict, note, reviewer, createdAt } = newest
    return { id, verdict, note, reviewer, createdAt }
  }

  /** The best `query.limit` candidates scoring `query.minScore` or more, best first; none of `exclude` (claim ids). */
  async function ranked (query: MatchQuery, exclude: string[] = []): Promise<Array<Omit<Match, 'latestReview'>>> {
    let speaker: { id: string, name: string } | undefined
    if (query.speakerId !== undefined) {
      const given = await speakers.get(query.speakerId)
      if (given === undefined) {
        throw new RuleViolated(`speakerId ${query.speakerId} does not name an existing speaker`,
          { errors: [{ path: '/speakerId', message: 'does not exist' }] })
      }
      speaker = { id: given.id, name: given.name }
    }
    const named = await namedSpeaker(query.text)
    speaker ??= named.speaker
    const analysis: Analysis = analyse(named.rest)
    const candidates = await matching.candidates({ ...await plan(searchTerms(analysis)), limit: CANDIDATES, language: query.language, exclude })
    const scored = candidates
      .map(({ claim, quotes }) => {
        const check = speaker === undefined ? undefined : { same: claim.speakerId === speaker.id, name: claim.speaker.name }
        // The claim as it was first made, or as it was quoted anywhere since: the closest wins.
        const said = [claim.text, ...claim.quote === null ? [] : [claim.quote], ...quotes.slice(0, QUOTES_SCORED)]
        const best = said.map((text) => score(analysis, analyse(text), check)).reduce((a, b) => b.score > a.score ? b : a)
        return { claim, ...best }
      })
      .filter((m) => m.score >= query.minScore)
    // Best first; between equals, the claim made nearest the given date, then the first stored.
    const near = (c: Claim) => query.claimedAt === undefined ? 0 : daysApart(c.claimedAt, query.claimedAt)
    scored.sort((a, b) => b.score - a.score || near(a.claim) - near(b.claim) || (a.claim.id < b.claim.id ? -1 : 1))
    return scored.slice(0, query.limit)
  }

  return {
    /** How many live claims hold each term, as the store counts them (an estimate on PostgreSQL: repository.ts). */
    claimsHolding: async (terms: SearchTerm[]) => await matching.claimsHolding(terms),

    /** The stored claims most like `query.text`, best first, each with its newest review. */
    async match (query: MatchQuery): Promise<Match[]> {
      const best = await ranked(query)
      return await Promise.all(best.map(async (m) => ({ ...m, latestReview: await latestReview(m.claim.id) })))
    },

    /**
     * Up to three stored claims (not `created` itself, nor any of `later`: the claims an import
     * created after it) that `created` may repeat, scoring POSSIBLE_MATCH or more.
     */
    async possibleMatches (created: Claim, later: ReadonlySet<string> = new Set()): Promise<Array<{ id: string, score: number }>> {
      const items = await ranked({
        text: created.text,
        speakerId: created.speakerId,
        claimedAt: created.claimedAt,
        language: created.language,
        limit: 3,
        minScore: POSSIBLE_MATCH
      }, [created.id, ...later])
      return items.map((m) => ({ id: m.claim.id, score: m.score }))
    }
  }
}

export type MatchingService = ReturnType<typeof createMatchingService>
