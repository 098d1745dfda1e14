import { z } from 'zod'
import { documentExample } from '../../http/examples.js'
import { requiredText, timestamp, uuid } from '../../http/schemas.js'
import { claim, claimedAt, claimStatus, language } from '../claims/schemas.js'
import { matchInput, matchResult } from './examples.js'

export const matchQuery = z.strictObject({
  text: requiredText(5000).describe('The statement to look for: a new claim, a quote, a paraphrase'),
  speakerId: uuid.optional().describe('Who made it, if known: the same speaker raises a score, another lowers it. ' +
    'Without it, a speaker the text names before a reporting verb ("Baku says…", "Azerbaijan\'s government claimed…") ' +
    'or after "according to" counts, found by name or alias'),
  claimedAt: claimedAt.optional().describe('When it was made: between equal scores, the claim made nearest this date comes first'),
  language: language.optional().describe('Only claims in this language'),
  limit: z.number().int().min(1).max(50).default(10).describe('How many matches at most (1..50)'),
  minScore: z.number().min(0).max(1).default(0).describe('Only matches scoring at least this')
}).meta({ id: 'MatchQuery' })
documentExample(matchQuery, matchInput)

const reason = z.object({
  kind: z.enum(['terms', 'numbers', 'negation', 'speaker']).describe('`terms`: the words the two share (`matched`) and the query\'s ' +
    'words the claim lacks (`missing`); `numbers`: whether the numbers each states agree; `negation`: one is negated, the other ' +
    'not; `speaker`: whether the claim\'s speaker is the query\'s'),
  detail: z.string().describe('The reason in words'),
  matched: z.array(z.string()).optional(),
  missing: z.array(z.string()).optional(),
  agree: z.boolean().optional(),
  query: z.array(z.string()).optional(),
  claim: z.array(z.string()).optional(),
  same: z.boolean().optional()
}).meta({ id: 'MatchReason' })

export const matchItem = z.object({
  claim,
  score: z.number().min(0).max(1).describe('How alike, in [0, 1], comparable across queries: ≥ 0.8 almost certainly the same ' +
    'claim; 0.5–0.8 the same subject, worth a look; below 0.5 rarely the same claim'),
  reasons: z.array(reason),
  latestReview: z.object({
    id: uuid,
    verdict: claimStatus,
    note: z.string(),
    reviewer: z.object({ id: z.string(), name: z.string() }),
    createdAt: timestamp
  }).nullable().describe('The claim\'s newest review (its verdict and rationale); null while it has none')
}).meta({ id: 'Match' })

export const matchPage = z.object({ items: z.array(matchItem) }).meta({ id: 'MatchResult' })
documentExample(matchPage, matchResult)

export type MatchInput = z.output<typeof matchQuery>
