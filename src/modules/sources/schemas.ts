import { z } from 'zod'
import { documentExample } from '../../http/examples.js'
import { cursorParam, limitParam } from '../../http/pagination.js'
import { blankAsMissing, calendarDate, httpUrl, idParams, optionalText, pageOf, requiredText, timestamp, uuid, wellFormedString } from '../../http/schemas.js'
import { SEEDED } from '../../seeded.js'
import { mailOnline, sourceCreateInput, sourceUpdateInput } from './examples.js'

export const sourceKind = z.enum(['article', 'broadcast', 'transcript', 'social_post', 'press_release', 'report', 'other'])

export const source = z.object({
  id: uuid,
  title: z.string(),
  publisher: z.string().nullable(),
  url: z.string().nullable(),
  kind: sourceKind,
  publishedAt: z.string().nullable().describe('Calendar date YYYY-MM-DD'),
  createdAt: timestamp,
  updatedAt: timestamp,
  version: z.number().int()
}).meta({ id: 'Source', description: 'Where a claim was made or reported.' })
documentExample(source, mailOnline)

const url = blankAsMissing(httpUrl).describe('http(s) URL, unique when present')
const publishedAt = blankAsMissing(calendarDate).describe('Calendar date YYYY-MM-DD')

export const sourceCreate = z.strictObject({
  title: requiredText(500),
  publisher: optionalText(200).describe('e.g. "Mail Online"'),
  url,
  kind: sourceKind.default('article'),
  publishedAt
}).meta({ id: 'SourceCreate' })
documentExample(sourceCreate, sourceCreateInput)

export const sourceUpdate = z.strictObject({
  title: requiredText(500).optional(),
  publisher: optionalText(200),
  url,
  kind: sourceKind.optional(),
  publishedAt
}).meta({ id: 'SourceUpdate', description: 'Fields to change; absent fields stay as they are, null clears.' })
documentExample(sourceUpdate, sourceUpdateInput)

export const sourceListQuery = z.strictObject({
  q: wellFormedString().trim().min(1).max(500).optional().describe('Title prefix, case-insensitive'),
  publisher: wellFormedString().trim().min(1).max(200).optional().describe('Exact publisher, case-insensitive'),
  limit: limitParam,
  cursor: cursorParam
})

export const sourcePage = pageOf(source, 'SourcePage', { items: [mailOnline], nextCursor: null })

/** `{id}` of a source; the example is the seeded article, so "Try it out" finds it. */
export const sourceIdParams = idParams(SEEDED.source.mailOnline)

export type Source = z.infer<typeof source>
export type SourceCreate = z.output<typeof sourceCreate>
export type SourceUpdate = z.output<typeof sourceUpdate>
