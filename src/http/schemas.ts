/**
 * Building blocks shared by every resource's zod schemas. One zod schema is at once the
 * request validator, the TypeScript type and the OpenAPI component.
 */
import { z } from 'zod'
import { documentExample, exemplified } from './examples.js'
import './zod-messages.js'

/**
 * Every string a request carries starts here: a string with no unpaired UTF-16 surrogate
 * (JSON may escape one, "\ud800"). One cannot be stored as UTF-8: SQLite read it back as
 * U+FFFD while the answer and the audit event kept it, so the row and its history disagreed.
 * Nor a NUL character ("\u0000"): PostgreSQL's text cannot hold one, and no claim, name or
 * note needs it, so both engines refuse it alike.
 */
export const wellFormedString = () => z.string()
  .refine((value) => value.isWellFormed(), { message: 'must be valid Unicode (it contains an unpaired surrogate)', abort: true })
  .refine((value) => !value.includes('\u0000'), { message: 'must not contain the NUL character (U+0000)', abort: true })

/** Required text: trimmed, then 1..max characters. */
export const requiredText = (max: number) =>
  wellFormedString().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`)

/**
 * An optional field: absent, null (clears it) or a value; a string that is empty after
 * trimming counts as missing, as the API's conventions say.
 */
export const blankAsMissing = <T extends z.ZodType>(schema: T) => blank(schema.nullable().optional())

/** `schema`, with a string that is empty after trimming read as missing (so defaults apply). */
export const blank = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema)

/** Optional text that may be cleared with null: trimmed, at most `max` characters. */
export const optionalText = (max: number) =>
  blankAsMissing(wellFormedString().trim().max(max, `must be at most ${max} characters`))

export const httpUrl = wellFormedString().trim().max(2000).refine((value) => {
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
  } catch {
    return false
  }
}, 'must be an http(s) URL')

/** A calendar date YYYY-MM-DD that exists (2020-02-30 does not). */
export const calendarDate = wellFormedString().trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD', abort: true })
  .refine(isRealDate, { message: 'is not a real calendar date', abort: true })

function isRealDate (value: string): boolean {
  const time = Date.parse(value + 'T00:00:00.000Z')
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value)
}

export const timestamp = z.string().describe('RFC 3339 UTC time with milliseconds')
/** Any string here (in a request, one that is not a UUID names nothing: 404 or 422, never 400). */
export const uuid = wellFormedString().describe('UUID v7')

/**
 * Path `{id}`: any string here, so that an id which is not a UUID gets 404, not 400. `example`
 * names a record that exists on a freshly seeded database: Swagger UI prefills it for "Try it out".
 */
export function idParams (example?: string) {
  const id = uuid.describe('UUID of the resource')
  return z.strictObject({ id: example === undefined ? id : exemplified(id, example) })
}

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  requestId: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional()
}).catchall(z.unknown()).meta({
  id: 'Problem',
  description: 'RFC 9457 problem details (`application/problem+json`). Extra members such as ' +
    '`existingId` (409 duplicate), `currentVersion` (412) or `deletedAt` (410) appear where documented.'
})

export function pageOf<T extends z.ZodType> (item: T, name: string, example: { items: Array<z.input<T>>, nextCursor: string | null }) {
  const page = z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Cursor for the next page; null on the last page')
  }).meta({ id: name })
  documentExample(page, example)
  return page
}

export const noContent = z.null().describe('No content')

const problemDescriptions: Record<number, string> = {
  400: 'Invalid request: malformed JSON, a schema violation, a bad query parameter or cursor',
  401: 'No API key, or an unknown or revoked one (`WWW-Authenticate: Bearer`)',
  403: 'The key\'s role may not do this',
  404: 'No such resource (also for an id that is not a UUID)',
  409: 'Conflict with the current state (duplicate, name or URL taken, still in use)',
  410: 'The claim was deleted; the body says when and by whom',
  412: '`If-Match` names a version that is no longer current',
  413: 'Body over the limit',
  415: 'Unsupported Content-Type',
  422: 'Well-formed but breaks a rule',
  429: 'Rate limited: too many requests for this API key this minute, or too many failed authentications from ' +
    'this address (`Retry-After`)',
  503: 'Service unavailable: the database cannot take this now (busy, then with `Retry-After`; read-only; its file ' +
    'damaged, deleted or replaced; a disk error; or, for /ready, not migrated or nearly out of disk); nothing was written',
  507: 'Insufficient storage: the database\'s disk is full; nothing was written'
}

/** Response entries for error statuses, documented as `application/problem+json`. */
export function problems (...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, {
    description: problemDescriptions[status] ?? 'Error',
    content: { 'application/problem+json': { schema: problemSchema } }
  }]))
}

/** Conditional-write header, documented as a parameter; other headers pass through untouched. */
export const ifMatchHeaders = z.looseObject({
  'if-match': wellFormedString().optional()
    .describe('`"<version>"` from the ETag: apply only if the resource is still at that version, else 412')
})

export const ifNoneMatchHeaders = z.looseObject({
  'if-none-match': wellFormedString().optional().describe('`"<version>"` from an earlier ETag: 304 if unchanged')
})
