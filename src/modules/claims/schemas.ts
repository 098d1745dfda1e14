import { z } from 'zod'
import { documentExample } from '../../http/examples.js'
import { cursorParam, limitParam } from '../../http/pagination.js'
import { blank, blankAsMissing, calendarDate, httpUrl, idParams, optionalText, pageOf, requiredText, timestamp, uuid, wellFormedString } from '../../http/schemas.js'
import { SEEDED } from '../../seeded.js'
import { sourceCreate } from '../sources/schemas.js'
import { speakerCreate } from '../speakers/schemas.js'
import { claimDeleteInput, claimPageExample, claimUpdateInput, newClaim, newClaimInput, newClaimPossibleMatches } from './examples.js'

export const claimStatus = z.enum(['unverified', 'corroborated', 'disputed'])

/** Latest calendar date anywhere on Earth (UTC+14): a claim cannot be made after it. */
export function latestDateToday (now = Date.now()): string {
  return new Date(now + 14 * 3600_000).toISOString().slice(0, 10)
}

export const claimedAt = calendarDate.refine((v) => v <= latestDateToday(), 'must not be in the future')
  .describe('Calendar date the speaker made the claim (YYYY-MM-DD); not in the future')

const topics = z.array(wellFormedString().trim().regex(/^[a-z0-9-]{1,50}$/, 'must be a lower-case slug [a-z0-9-]{1,50}'))
  .max(20, 'must have at most 20 topics')
  .transform((list) => [...new Set(list)])
  .describe('Lower-case slugs, at most 20; repeats are dropped')

export const language = wellFormedString().trim().max(35).transform((tag, ctx) => {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag)
    if (canonical !== undefined) return canonical
  } catch {}
  ctx.addIssue({ code: 'custom', message: 'must be a BCP 47 language tag such as "en" or "hy-AM"' })
  return z.NEVER
}).describe('BCP 47 language tag, stored in canonical case (e.g. "en-GB")')

export const claim = z.object({
  id: uuid,
  text: z.string(),
  quote: z.string().nullable(),
  speakerId: uuid,
  speaker: z.object({ id: uuid, name: z.string() }),
  sourceId: uuid,
  source: z.object({ id: uuid, title: z.string(), url: z.string().nullable() }),
  claimedAt: z.string().describe('Calendar date YYYY-MM-DD'),
  context: z.string().nullable(),
  topics: z.array(z.string()),
  language: z.string(),
  status: claimStatus.describe('Read-only: starts unverified and is changed only by reviews'),
  reviewCount: z.number().int(),
  lastReviewedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  version: z.number().int()
}).meta({ id: 'Claim', description: 'One attributable statement: who said what, where and when.' })
documentExample(claim, newClaim)

export const claimCreated = claim.extend({
  possibleMatches: z.array(z.object({ id: uuid, score: z.number().min(0).max(1) })).describe('Up to three stored claims ' +
    'that may be this one said before (POST /v1/claims/match with this claim\'s text, speaker and date, scoring at least ' +
    '0.5), best first: an editorial tool can warn before a duplicate check starts. Empty when none comes close.')
}).meta({ id: 'ClaimCreated', description: 'The new claim, and the stored claims it may repeat.' })
documentExample(claimCreated, { ...newClaim, possibleMatches: newClaimPossibleMatches })

const inlineSpeaker = speakerCreate.omit({ aliases: true }).meta({
  id: 'InlineSpeaker',
  description: 'Found by name or alias (case-insensitive), else created with these fields'
})
const inlineSource = sourceCreate.meta({
  id: 'InlineSource',
  description: 'Found by URL (else by title + publisher, case-insensitive), else created with these fields'
})

/** The fields of a new claim, before the speaker/source either-or rule. */
export const claimFields = z.strictObject({
  text: requiredText(5000).describe('The claim as attributed (paraphrase or quote)'),
  quote: optionalText(5000).describe('Verbatim words when the source quotes them'),
  speakerId: uuid.optional().describe('An existing speaker; or give `speaker` instead'),
  speaker: inlineSpeaker.optional(),
  sourceId: uuid.optional().describe('An existing source; or give `source` instead'),
  source: inlineSource.optional(),
  claimedAt,
  context: optionalText(5000).describe('The surrounding situation'),
  topics: topics.default([]),
  language: blank(language.default('en'))
})

/** A claim names its speaker and its source each exactly one way: by id or inline. */
function oneWayEach (body: { speakerId?: unknown, speaker?: unknown, sourceId?: unknown, source?: unknown }, ctx: z.RefinementCtx) {
  if ((body.speakerId === undefined) === (body.speaker === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['speakerId'], message: 'give exactly one of speakerId or speaker' })
  }
  if ((body.sourceId === undefined) === (body.source === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['sourceId'], message: 'give exactly one of sourceId or source' })
  }
}

export const claimCreate = claimFields.superRefine(oneWayEach).meta({ id: 'ClaimCreate' })
documentExample(claimCreate, newClaimInput)

/** The most appearances a claim may have (ClaimReview and an export list them all). */
export const APPEARANCES_MAX = 10_000

/**
 * An appearance in an import item: as POST /v1/claims/{id}/appearances takes it, or with its
 * speaker inline (found by name or alias, else created), as an export writes it.
 */
export const importedAppearance = z.strictObject({
  sourceId: uuid.optional(),
  source: inlineSource.optional(),
  speakerId: uuid.optional(),
  speaker: inlineSpeaker.nullable().optional().describe('Who made the claim there; null or missing: its own speaker'),
  appearedAt: claimedAt,
  url: blankAsMissing(httpUrl),
  quote: optionalText(5000)
}).superRefine((body, ctx) => {
  if ((body.sourceId === undefined) === (body.source === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['sourceId'], message: 'give exactly one of sourceId or source' })
  }
  if (body.speakerId !== undefined && body.speaker != null) {
    ctx.addIssue({ code: 'custom', path: ['speakerId'], message: 'give at most one of speakerId or speaker' })
  }
}).meta({ id: 'ImportedAppearance' })
export type ImportedAppearance = z.output<typeof importedAppearance>

/**
 * One claim to import: a ClaimCreate, also accepting (and ignoring) the read-only fields an
 * export carries, so that an exported line imports as it is, its appearances with it.
 * Imported claims start unverified.
 */
export const claimImportItem = claimFields.extend({
  appearances: z.array(importedAppearance).max(APPEARANCES_MAX).optional()
    .describe('Where and when else it was made (as an NDJSON export writes them): each added to the new claim and audited on it'),
  id: wellFormedString().optional(),
  status: wellFormedString().optional(),
  reviewCount: z.number().optional(),
  lastReviewedAt: wellFormedString().nullable().optional(),
  createdAt: wellFormedString().optional(),
  updatedAt: wellFormedString().optional(),
  version: z.number().optional()
}).superRefine(oneWayEach).meta({ id: 'ClaimImportItem' })

export const claimUpdate = z.strictObject({
  text: requiredText(5000).optional(),
  quote: optionalText(5000),
  speakerId: uuid.optional(),
  sourceId: uuid.optional(),
  claimedAt: claimedAt.optional(),
  context: optionalText(5000),
  topics: topics.optional(),
  language: blank(language.optional())
}).meta({
  id: 'ClaimUpdate',
  description: 'Fields to change; absent fields stay as they are, null clears. `status` is changed only by reviews.'
})
documentExample(claimUpdate, claimUpdateInput)

export const claimDelete = z.strictObject({
  reason: optionalText(1000).describe('Why the claim is withdrawn; kept in its history')
}).nullish().meta({ id: 'ClaimDelete', description: 'Optional body; may be left out' })
documentExample(claimDelete, claimDeleteInput)

export const claimSorts = ['-claimedAt', 'claimedAt', '-createdAt', 'createdAt', '-updatedAt', '-lastReviewedAt', 'relevance'] as const

/** The list filters, without the sort default (which depends on `q`). */
const claimListFields = z.strictObject({
  q: wellFormedString().trim().min(1).max(500).optional()
    .describe('Full-text search over text, quote, context and the speaker\'s name and aliases. Every word must ' +
      'match (case and accents ignored); punctuation and search operators are treated as plain words.'),
  status: claimStatus.optional(),
  speakerId: z.uuid().optional().describe('Claims by this speaker'),
  sourceId: z.uuid().optional().describe('Claims from this source'),
  topic: wellFormedString().trim().min(1).max(50).optional().describe('Claims tagged with this topic slug'),
  claimedFrom: calendarDate.optional().describe('claimedAt on or after this date'),
  claimedTo: calendarDate.optional().describe('claimedAt on or before this date'),
  reviewer: z.uuid().optional().describe('Claims reviewed at least once by this API key id'),
  sort: z.enum(claimSorts).optional()
    .describe('Order; ties are broken by id (for `relevance`, by the order claims were stored in), so the order is ' +
      'total. Default: relevance with `q` (best match first, BM25), else -claimedAt. `relevance` needs `q`.'),
  limit: limitParam,
  cursor: cursorParam
})

/** Applies the default sort: relevance when searching, newest claim date otherwise. */
function withSort<T extends { q?: string | undefined, sort?: ClaimSort | undefined }> (query: T, ctx: z.RefinementCtx) {
  if (query.sort === 'relevance' && query.q === undefined) {
    ctx.addIssue({ code: 'custom', path: ['sort'], message: 'relevance needs q' })
  }
  return { ...query, sort: query.sort ?? (query.q === undefined ? '-claimedAt' as const : 'relevance' as const) }
}

export const claimListQuery = claimListFields.transform(withSort)

export const claimReadQuery = z.strictObject({
  asOf: z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString()).optional()
    .describe('RFC 3339 time, e.g. 2020-10-21T09:30:00.000Z: the claim as it stood then')
})

export const claimPage = pageOf(claim, 'ClaimPage', claimPageExample)

/** `{id}` of a claim; the example is a seeded claim, so "Try it out" finds it. */
export const claimIdParams = idParams(SEEDED.claims.capturedGround)

export const exportQuery = claimListFields.omit({ limit: true, cursor: true }).extend({
  format: z.enum(['ndjson', 'csv']).default('ndjson').describe('ndjson (default): one record a line; csv: with a header row')
}).transform(withSort)

export type Claim = z.infer<typeof claim>
export type ClaimCreate = z.output<typeof claimCreate>
export type ClaimUpdate = z.output<typeof claimUpdate>
export type ClaimListQuery = z.output<typeof claimListQuery>
export type ClaimFilter = Omit<ClaimListQuery, 'cursor'>

/** A keyset position in a claim list: the sort field's value (or search rank) and the id of the last claim served. */
export const claimCursor = z.tuple([z.union([z.string(), z.number()]).nullable(), z.uuid()])
export type ClaimCursor = z.output<typeof claimCursor>

/** A claim as a list yields it: with its search rank when the list is a search. */
export type ListedClaim = Claim & { rank?: number }

/** The sort field's value of a listed claim, for the next page's cursor. */
export const claimSortKey = (sort: ClaimSort, c: ListedClaim): ClaimCursor => {
  const value = {
    '-claimedAt': c.claimedAt,
    claimedAt: c.claimedAt,
    '-createdAt': c.createdAt,
    createdAt: c.createdAt,
    '-updatedAt': c.updatedAt,
    '-lastReviewedAt': c.lastReviewedAt,
    relevance: c.rank ?? 0
  }[sort]
  return [value, c.id]
}
export type ClaimSort = typeof claimSorts[number]
