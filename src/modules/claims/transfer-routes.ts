/**
 * Import and export of claims. An encapsulated plugin: the NDJSON and CSV body parsers
 * (which hand the handler the raw stream) exist only here, so every other route still
 * answers 415 to those types.
 */
import { Readable } from 'node:stream'
import { validatorCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { type WriteContext } from '../../core/context.js'
import { detailsAddedTo, withDetails } from '../../core/errors.js'
import { writeContext } from '../../http/context.js'
import { documentExample, exemplified } from '../../http/examples.js'
import { itemError } from '../../http/problems.js'
import { problems, problemSchema, wellFormedString } from '../../http/schemas.js'
import { spoolRequestBody } from '../../http/spool.js'
import { exportStream } from './export.js'
import { csvRecords, IMPORT_PACE, importRecords, ndjsonRecords, type ImportDeps, type ImportPace, type ImportRecord, type ImportResult } from './import.js'
import { exportQuery } from './schemas.js'
import { csvExample, importInput, importResultExample, ndjsonExample } from './transfer-examples.js'

export const STREAM_BODY_LIMIT = 50 * 1024 * 1024
const STREAMED = ['application/x-ndjson', 'text/csv']

const importJson = z.strictObject({
  items: z.array(z.record(wellFormedString(), z.unknown())).min(1, 'must have at least 1 item').max(1000, 'must have at most 1000 items')
    .describe('Each a ClaimCreate (an exported record also works: its read-only fields are ignored), checked one by one')
}).meta({ id: 'ClaimImport' })
documentExample(importJson, importInput)

const importError = z.object({ status: z.number().int(), title: z.string(), detail: z.string(), errors: z.unknown().optional() })

const importSummary = z.object({
  created: z.number().int(),
  duplicates: z.number().int().describe('Records that duplicate an existing claim (see existingId)'),
  failed: z.number().int().describe('Records rejected for another reason (see error)'),
  results: z.array(z.object({
    line: z.number().int().optional().describe('1-based line of an NDJSON or CSV body'),
    index: z.number().int().optional().describe('0-based index in a JSON body\'s items'),
    ok: z.boolean(),
    id: z.string().optional().describe('The created claim'),
    possibleMatches: z.array(z.object({ id: z.string(), score: z.number().min(0).max(1) })).optional()
      .describe('Stored claims the created one may repeat, best first (see the `possibleMatches` query parameter); ' +
        'a record is compared with the records committed before it too'),
    existingId: z.string().optional().describe('The claim this record duplicates'),
    error: importError.optional()
  }).meta({ id: 'ClaimImportRecordResult' }))
}).meta({ id: 'ClaimImportResult' })
documentExample(importSummary, importResultExample)

const importStopped = z.intersection(problemSchema, z.looseObject({
  committed: z.object({
    created: z.number().int(),
    duplicates: z.number().int(),
    failed: z.number().int(),
    through: z.union([z.object({ line: z.number().int() }), z.object({ index: z.number().int() })]).nullable()
      .describe('The last record of the last committed batch (null: nothing was committed); nothing after it was written')
  }),
  results: importSummary.shape.results.describe('The results of the committed records, as a 200 would list them')
})).meta({ id: 'ClaimImportStopped', description: 'An import that stopped part way: what stays committed' })
documentExample(importStopped, {
  type: 'https://claimledger.dev/problems/insufficient-storage',
  title: 'Insufficient storage',
  status: 507,
  detail: 'The database\'s disk is full, so nothing was written; retry once an operator has freed space',
  instance: '/v1/claims/import',
  requestId: 'c0b0e3f4-5a7d-4a52-9d43-2f0d1f1ab0e1',
  committed: { created: 1, duplicates: 1, failed: 0, through: { line: 2 } },
  results: importResultExample.results.map(({ index, ...result }) => ({ line: index + 1, ...result }))
})

const importQuery = z.strictObject({
  possibleMatches: z.enum(['true', 'false']).optional().describe('List, for each created claim, the stored claims it may repeat ' +
    '(`possibleMatches`, as `POST /v1/claims` does: up to three scoring 0.5 or more). Default: `true` for a JSON body (≤ 1000 ' +
    'items), `false` for NDJSON and CSV, whose bodies may hold hundreds of thousands of records: a match costs far more than a create')
})

/** Import results as the API reports them: a failure as its problem's status, title and detail. */
const reported = (results: ImportResult[]) =>
  results.map(({ error, ...result }) => (error === undefined ? result : { ...result, error: itemError(error) }))

/** importRecords, reported in HTTP terms, the results of an import that stopped part way included. */
async function runImport (services: ImportDeps, ctx: WriteContext, records: Iterable<ImportRecord> | AsyncIterable<ImportRecord>, pace: Partial<ImportPace>) {
  try {
    const summary = await importRecords(services, ctx, records, { ...IMPORT_PACE, ...pace })
    return { ...summary, results: reported(summary.results) }
  } catch (error) {
    const results = detailsAddedTo(error)?.results as ImportResult[] | undefined
    throw results === undefined ? error : withDetails(error, { results: reported(results) })
  }
}

const routes: FastifyPluginAsyncZod = async (app) => {
  app.addContentTypeParser(STREAMED, (_request, payload, done) => { done(null, payload) })
  // A streamed body is validated record by record in the handler, not as a whole.
  app.setValidatorCompiler((route) => {
    const validate = validatorCompiler(route as Parameters<typeof validatorCompiler>[0])
    return (data: unknown) => (data instanceof Readable ? { value: data } : validate(data))
  })

  app.post('/v1/claims/import', {
    config: { role: 'editor' },
    schema: {
      tags: ['Claims'],
      summary: 'Create many claims: JSON { items } (≤ 1000), or NDJSON / CSV streamed (≤ 50 MiB)',
      description: 'Each record is a ClaimCreate (inline `speaker`/`source` found or created as for a single create); ' +
        'the read-only fields of an exported record are accepted and ignored, so an export imports as it is. ' +
        '`application/x-ndjson`: one record a line. `text/csv`: the export\'s columns with a header row ' +
        '(`topics` separated by `;`; one leading `\'` is removed from a cell where it guards a formula character, ' +
        'as the export adds it). Bodies are read as a stream and committed in batches; each record is ' +
        'checked and written on its own, so a bad record fails alone, never undoes the ones before it, and never ' +
        'leaves a half-written claim. 200 with a result per record (`line` for NDJSON/CSV, `index` for JSON); ' +
        'duplicates carry `existingId`, created claims `possibleMatches` (stored claims they may repeat: by default for ' +
        'a JSON body only, see the query parameter). Imported claims start unverified.\n\n' +
        'An NDJSON or CSV body is received in full (spooled to a temp file) before anything is written, so a 413 ' +
        '(over 50 MiB) means nothing was imported. An NDJSON line over 1 MiB (the JSON body limit: one record) ' +
        'fails alone with a 413 result, and the lines after it are still read. Records are committed in ' +
        'transactions of up to about half a second of work (IMPORT_COMMIT_MS), and the server answers other ' +
        'requests every 50 ms meanwhile.\n\n' +
        'If an import stops part way for a reason that is not one record\'s (the disk is full, a CSV that cannot ' +
        'be read past a row, an unexpected error), the batches before it stay committed and the problem says ' +
        'exactly which: `committed: { created, duplicates, failed, through }`, `through` being the `{ line }` or ' +
        '`{ index }` of the last committed record (null when none), and `results` for those records. Nothing ' +
        'after `through` was written, so the rest can be sent again.',
      consumes: ['application/json', ...STREAMED],
      querystring: importQuery,
      body: importJson,
      response: {
        200: importSummary,
        ...problems(400),
        '5xx': {
          description: 'The import stopped part way (e.g. 507 when the disk is full): what stays committed',
          content: { 'application/problem+json': { schema: importStopped } }
        }
      }
    }
  }, async (request, reply) => {
    const ctx = writeContext(request)
    const body = request.body as z.output<typeof importJson> | Readable
    const suggesting = (request.query.possibleMatches ?? (body instanceof Readable ? 'false' : 'true')) === 'true'
    const pace: Partial<ImportPace> = {
      commitMs: app.config.importCommitMs,
      suggest: suggesting
        ? async (claim, later) => await app.services.matching.possibleMatches(claim, later).catch((error: unknown) => {
          request.log.warn({ err: error, claimId: claim.id }, 'possibleMatches failed; the record is answered without them')
          return []
        })
        : undefined
    }
    if (!(body instanceof Readable)) {
      return await runImport(app.services, ctx, body.items.map((value, index): ImportRecord => ({ ref: { index }, value })), pace)
    }
    // The whole body first, so that a 413 is known before anything is written.
    const spooled = await spoolRequestBody(request, reply, body, STREAM_BODY_LIMIT)
    try {
      const chunks = spooled.read()
      const records = request.headers['content-type']?.startsWith('text/csv') === true ? csvRecords(chunks) : ndjsonRecords(chunks)
      return await runImport(app.services, ctx, records, pace)
    } finally {
      await spooled.close()
    }
  })

  app.get('/v1/claims/export', {
    config: { role: 'viewer' },
    schema: {
      tags: ['Claims'],
      summary: 'Export claims (the list\'s filters and sorts) as NDJSON or CSV, streamed',
      description: 'Streams every matching live claim, a page of 500 at a time whatever the count. A record names its ' +
        'speaker and source inline, so it can be imported as it is into another Claimledger; in NDJSON it also lists ' +
        'the claim\'s `appearances` (oldest first, source and speaker inline), which an import adds back. CSV is UTF-8 with a ' +
        'header row; fields with commas, quotes or newlines are quoted (RFC 4180); `topics` are separated by `;`. ' +
        'A cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR, after any `\'`s) ' +
        'gets one leading `\'` (OWASP\'s advice against CSV injection); a CSV import removes it, so an export ' +
        're-imports exactly.',
      querystring: exportQuery,
      response: {
        200: {
          description: 'The claims',
          content: {
            'application/x-ndjson': { schema: exemplified(z.string().describe('One JSON record a line'), ndjsonExample) },
            'text/csv': { schema: exemplified(z.string().describe('RFC 4180 CSV with a header row'), csvExample) }
          }
        },
        ...problems(400)
      }
    }
  }, async (request, reply) => {
    const { format, ...filter } = request.query
    const type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8'
    reply.type(type).header('content-disposition', `attachment; filename="claims.${format}"`)
    // A stream bypasses the response schema's serializer; the schema documents the formats.
    return reply.send(exportStream(app.services, filter, format) as unknown as string)
  })
}

export default routes
