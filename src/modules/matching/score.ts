/**
 * How alike two statements are, as a score in [0, 1] that means the same whatever the query,
 * and the reasons for it. Word overlap sets the score; numbers, negation and the speaker
 * decide between statements whose words agree:
 *
 *   overlap  = 0.8 × Dice(content stems) + 0.2 × Dice(adjacent stem pairs, i.e. word order)
 *   × 0.5    when both state numbers and they differ ("772 soldiers" is not "700 soldiers")
 *   × 0.85   when only one of them states a number
 *   × 0.6    when one is negated and the other is not
 *   × 0.75   when the speaker is known (speakerId, or "Baku says…") and is someone else
 *   + 10% of what is left to 1 when it is the same speaker
 *
 * Calibrated on the committed evaluation (npm run eval:matching): a score of 0.8 or more is
 * almost certainly the same claim, 0.5 to 0.8 the same subject worth a look, below 0.5 rarely
 * the same claim.
 */
import type { Analysis } from './analyse.js'

export type Reason =
  | { kind: 'terms', matched: string[], missing: string[], detail: string }
  | { kind: 'numbers', agree: boolean, query: string[], claim: string[], detail: string }
  | { kind: 'negation', detail: string }
  | { kind: 'speaker', same: boolean, detail: string }

export interface Scored { score: number, reasons: Reason[] }

/** What is known of the query's speaker, and whether the candidate's is the same. */
export interface SpeakerCheck { same: boolean, name: string }

function dice<T> (a: Set<T>, b: Set<T>): number {
  if (a.size + b.size === 0) return 0
  let shared = 0
  for (const x of a) if (b.has(x)) shared++
  return (2 * shared) / (a.size + b.size)
}

const pairs = (terms: string[]) => new Set(terms.slice(1).map((term, i) => `${terms[i] as string} ${term}`))

const round = (n: number) => Math.round(n * 1000) / 1000

export function score (query: Analysis, claim: Analysis, speaker?: SpeakerCheck): Scored {
  const q = new Set(query.terms)
  const c = new Set(claim.terms)
  const termScore = dice(q, c)
  const orderScore = query.terms.length > 1 && claim.terms.length > 1 ? dice(pairs(query.terms), pairs(claim.terms)) : termScore
  let value = 0.8 * termScore + 0.2 * orderScore

  const matched = [...new Set(query.terms.flatMap((term, i) => c.has(term) ? [query.words[i] as string] : []))]
  const missing = [...new Set(query.terms.flatMap((term, i) => c.has(term) ? [] : [query.words[i] as string]))]
  const reasons: Reason[] = [{ kind: 'terms', matched, missing, detail: `${matched.length} of ${q.size} words agree` }]

  if (query.numbers.length > 0 || claim.numbers.length > 0) {
    const agree = query.numbers.join() === claim.numbers.join()
    if (!agree) value *= query.numbers.length > 0 && claim.numbers.length > 0 ? 0.5 : 0.85
    reasons.push({
      kind: 'numbers',
      agree,
      query: query.numbers,
      claim: claim.numbers,
      detail: agree
        ? `the numbers agree (${query.numbers.join(', ')})`
        : `the numbers differ (${query.numbers.join(', ') || 'none'} here, ${claim.numbers.join(', ') || 'none'} in the claim)`
    })
  }
  if (query.negated !== claim.negated) {
    value *= 0.6
    reasons.push({ kind: 'negation', detail: query.negated ? 'this is negated, the claim is not' : 'the claim is negated, this is not' })
  }
  if (speaker !== undefined) {
    value = speaker.same ? value + (1 - value) * 0.1 : value * 0.75
    reasons.push({ kind: 'speaker', same: speaker.same, detail: speaker.same ? `same speaker (${speaker.name})` : `said by someone else (${speaker.name})` })
  }
  return { score: round(Math.min(1, Math.max(0, value))), reasons }
}
