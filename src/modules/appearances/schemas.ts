import { z } from 'zod'
import { documentExample } from '../../http/examples.js'
import { cursorParam, limitParam } from '../../http/pagination.js'
import { httpUrl, optionalText, pageOf, timestamp, uuid } from '../../http/schemas.js'
import { claimedAt } from '../claims/schemas.js'
import { sourceCreate } from '../sources/schemas.js'
import { appearanceExample, appearanceInput } from './examples.js'

export const appearanceCreate = z.strictObject({
  sourceId: uuid.optional().describe('An existing source; or give `source` instead'),
  source: sourceCreate.optional().describe('Found by URL (else by title + publisher, case-insensitive), else created'),
  speakerId: uuid.optional().describe('Who made the claim there, if not (only) its speaker: an existing speaker'),
  appearedAt: claimedAt.describe('Calendar date YYYY-MM-DD the claim appeared there'),
  url: httpUrl.optional().describe('Where exactly, if the source\'s own URL is not enough'),
  quote: optionalText(5000).describe('The words used there, verbatim')
}).superRefine((body, ctx) => {
  if ((body.sourceId === undefined) === (body.source === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['sourceId'], message: 'give exactly one of sourceId or source' })
  }
}).meta({ id: 'AppearanceCreate' })
documentExample(appearanceCreate, appearanceInput)

export const appearance = z.object({
  id: uuid,
  claimId: uuid,
  source: z.object({ id: uuid, title: z.string(), url: z.string().nullable() }),
  speaker: z.object({ id: uuid, name: z.string() }).nullable().describe('Who made the claim there; null: its own speaker'),
  appearedAt: z.string().describe('Calendar date YYYY-MM-DD'),
  url: z.string().nullable(),
  quote: z.string().nullable(),
  createdAt: timestamp
}).meta({ id: 'Appearance', description: 'Another place and day the claim was made (ClaimReview\'s `appearance`).' })
documentExample(appearance, appearanceExample)

export const appearanceListQuery = z.strictObject({
  limit: limitParam,
  cursor: cursorParam,
  asOf: z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString()).optional()
    .describe('RFC 3339 time: the appearances recorded by then (an appearance never changes once recorded); before the claim existed, 404')
})

export const appearancePage = pageOf(appearance, 'AppearancePage', { items: [appearanceExample], nextCursor: null })

/** A page's position: the last appearance's date and id. */
export const appearanceCursor = z.tuple([z.string(), z.string()])

export type AppearanceCreate = z.output<typeof appearanceCreate>
