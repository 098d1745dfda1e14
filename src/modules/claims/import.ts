/**
 * Bulk creation of claims from JSON items, NDJSON lines or CSV rows. Records are read ahead
 * in batches and committed in large transactions (a commit writes every page the claims
 * before it dirtied, so fewer commits write far fewer pages: bench/floors.ts). Every record
 * is checked before anything of it is written (ClaimsService.creator), so a bad record fails
 * alone and never leaves a half-written claim, and records before it stay committed. The
 * input is consumed as a stream: only one batch is held at a time, and a transaction never
 * waits for the client's bytes.
 */
import { pipeline, Readable } from 'node:stream'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { CsvError, parse as parseCsv } from 'csv-parse'
import { type WriteContext } from '../../core/context.js'
import { DomainError, Invalid, invalidFrom, RuleViolated, TooLarge, Unreadable, withDetails } from '../../core/errors.js'
import type { AppearancesService } from '../appearances/service.js'
import type { SourcesService } from '../sources/service.js'
import type { SpeakersService } from '../speakers/service.js'
import { restoreFormula } from './csv-formulas.js'
import { claimImportItem, type Claim, type ClaimCreate, type ImportedAppearance } from './schemas.js'
import type { ClaimsService } from './service.js'

/** Records read ahead, at most, before they are written. */
export const IMPORT_BATCH = 5000
/**
 * The event loop's share an import takes at a time: past it, other requests (reads; writes
 * queue for the transaction) go first before the import goes on in the same transaction.
 */
export const IMPORT_SLICE_MS = 50
/** How long one transaction of an import may hold the write lock, by default (IMPORT_COMMIT_MS). */
export const IMPORT_COMMIT_MS = 500

/** Where a record came from: a line of a file, or an index of a JSON array. */
export type RecordRef = { line: number } | { index: number }
export interface ImportRecord { ref: RecordRef, value?: unknown, error?: DomainError }

/** A stored claim a created one may repeat (matching's possibleMatches). */
export interface PossibleMatch { id: string, score: number }

/** A record's outcome; a failure keeps its domain error, for the caller to report in its own terms. */
export type ImportResult = RecordRef & { ok: boolean, id?: string, existingId?: string, possibleMatches?: PossibleMatch[], error?: DomainError }
/** A result as a transaction leaves it: a created record with its claim, for the suggestions made after the commit. */
type BatchResult = ImportResult & { claim?: Claim }

/**
 * What an import needs: a transaction, and in it the claims service (which finds or creates
 * speakers and sources) and, for records that carry appearances, the appearances service and
 * the lookups that check an appearance before anything of its record is written.
 */
export interface ImportDeps { transaction: <T>(fn: (tx: ImportTx) => Promise<T>) => Promise<T> }
interface ImportTx {
  claims: Pick<ClaimsService, 'creator'>
  appearances: Pick<AppearancesService, 'add'>
  sources: Pick<SourcesService, 'get'>
  speakers: Pick<SpeakersService, 'get' | 'findOrCreate'>
}
/** Creates one record's claim, then its appearances, in the import's transaction. */
type Create = (input: ClaimCreate, appearances: ImportedAppearance[]) => Promise<Claim>

export interface ImportSummary { created: number, duplicates: number, failed: number, results: ImportResult[] }

function failure (ref: RecordRef, error: DomainError): ImportResult {
  const { existingId } = error.details
  return { ...ref, ok: false, ...(typeof existingId === 'string' ? { existingId } : {}), error }
}

/** One record, checked and created, or failed alone (it wrote nothing). */
async function importOne (create: Create, { ref, value, error }: ImportRecord): Promise<BatchResult> {
  if (error !== undefined) return failure(ref, error)
  const parsed = claimImportItem.safeParse(value)
  if (!parsed.success) return failure(ref, invalidFrom(parsed.error))
  const { id, status, reviewCount, lastReviewedAt, createdAt, updatedAt, version, appearances = [], ...input } = parsed.data
  try {
    const claim = await create(input, appearances)
    return { ...ref, ok: true, id: claim.id, claim }
  } catch (caught) {
    if (caught instanceof DomainError) return failure(ref, caught)
    throw caught
  }
}

/**
 * A record's claim and then its appearances. Every appearance's sourceId and speakerId are
 * checked first, so that a record refused for one of them writes nothing; after that nothing is
 * refused (an inline source or speaker is found or made, each appearance audited on the claim).
 */
function recordCreator (tx: ImportTx, ctx: WriteContext, at: string): Create {
  const createClaim = tx.claims.creator(ctx, at)
  return async (input, appearances) => {
    for (const [i, a] of appearances.entries()) {
      if (a.sourceId !== undefined && await tx.sources.get(a.sourceId) === undefined) throw absent(i, 'sourceId', a.sourceId)
      if (a.speakerId !== undefined && await tx.speakers.get(a.speakerId) === undefined) throw absent(i, 'speakerId', a.speakerId)
    }
    const claim = await createClaim(input)
    for (const { speaker, speakerId, sourceId, source, url, ...a } of appearances) {
      const who = speakerId ?? (speaker == null ? undefined : (await tx.speakers.findOrCreate(ctx, { ...speaker, aliases: [] }, at)).id)
      await tx.appearances.add(ctx, claim.id, {
        ...a, ...(url == null ? {} : { url }), ...(source === undefined ? { sourceId } : { source }), ...(who === undefined ? {} : { speakerId: who })
      })
    }
    return claim
  }
}

function absent (index: number, what: 'sourceId' | 'speakerId', id: string): RuleViolated {
  return new RuleViolated(`appearances[${index}].${what} ${id} does not name an existing ${what === 'sourceId' ? 'source' : 'speaker'}`,
    { errors: [{ path: `/appearances/${index}/${what}`, message: 'does not exist' }] })
}

/**
 * How long an import's transaction may last, and how long it may hold the event loop at a time
 * (ms); and, when given, the stored claims each created one may repeat, asked once its
 * transaction has committed: a record is compared with the records before it, never with the
 * ones after it (`later`: the claims its transaction created after it).
 */
export interface ImportPace { commitMs: number, sliceMs: number, suggest?: ((claim: Claim, later: ReadonlySet<string>) => Promise<PossibleMatch[]>) | undefined }
export const IMPORT_PACE: ImportPace = { commitMs: IMPORT_COMMIT_MS, sliceMs: IMPORT_SLICE_MS }

/**
 * One transaction over the first records of `records`: all of them, or as many as fit in
 * `commitMs` of work (at least one). Every `sliceMs` it lets other requests go first (the
 * transaction stays open: reads are answered meanwhile, writes queue behind it). The results
 * say how many were committed.
 */
export async function importBatch (services: ImportDeps, ctx: WriteContext, records: ImportRecord[], pace = IMPORT_PACE): Promise<BatchResult[]> {
  return await services.transaction(async (tx) => {
    const create = recordCreator(tx, ctx, new Date().toISOString())
    const results: BatchResult[] = []
    const deadline = performance.now() + pace.commitMs
    let slice = performance.now() + pace.sliceMs
    for (const record of records) {
      results.push(await importOne(create, record))
      const now = performance.now()
      if (now >= deadline) break
      if (now >= slice && results.length < records.length) {
        await nextTurn()
        slice = performance.now() + pace.sliceMs
      }
    }
    return results
  })
}

/**
 * Imports `records` batch by batch. A batch commits in transactions of at most
 * IMPORT_COMMIT_MS of work, and other requests go first every IMPORT_SLICE_MS: the server
 * keeps answering during a large import, however slow the machine. A failure that is no single record's (the disk is full,
 * the CSV cannot be read further) stops the import; the slices before it stay committed, and
 * the error carries exactly which (`committed`, `results`) into the problem it becomes.
 */
export async function importRecords (services: ImportDeps, ctx: WriteContext, records: AsyncIterable<ImportRecord> | Iterable<ImportRecord>,
  pace = IMPORT_PACE): Promise<ImportSummary> {
  const summary: ImportSummary = { created: 0, duplicates: 0, failed: 0, results: [] }
  let through: RecordRef | null = null
  let batch: ImportRecord[] = []
  const flush = async () => {
    for (let done = 0; done < batch.length;) {
      if (done > 0) await nextTurn()
      const results = await importBatch(services, ctx, batch.slice(done), pace)
      const later = new Set(results.flatMap((r) => r.claim?.id ?? []))
      let slice = performance.now() + pace.sliceMs
      for (const { claim, ...result } of results) {
        if (claim !== undefined) {
          later.delete(claim.id)
          if (pace.suggest !== undefined) {
            result.possibleMatches = await pace.suggest(claim, later)
            // Matches are reads, but on SQLite synchronous ones: let other requests go first as the writes do.
            if (performance.now() >= slice) {
              await nextTurn()
              slice = performance.now() + pace.sliceMs
            }
          }
        }
        if (result.ok) summary.created++
        else if (result.existingId !== undefined) summary.duplicates++
        else summary.failed++
        summary.results.push(result)
      }
      done += results.length
      through = batch[done - 1]?.ref ?? through
    }
    batch = []
  }
  try {
    for await (const record of records) {
      batch.push(record)
      if (batch.length < IMPORT_BATCH) continue
      await flush()
      // Records already buffered come without any I/O wait: yield here too.
      await nextTurn()
    }
    if (batch.length > 0) await flush()
  } catch (error) {
    const { results, ...counts } = summary
    throw withDetails(error, { committed: { ...counts, through }, results })
  }
  return summary
}

/** The most one NDJSON line may hold: the JSON body limit, as a line is one claim, like a POST /v1/claims body. */
export const MAX_LINE_BYTES = 1024 * 1024

function parseLine (text: string, line: number): ImportRecord | undefined {
  if (text.trim() === '') return undefined
  try {
    return { ref: { line }, value: JSON.parse(text) }
  } catch {
    return { ref: { line }, error: new Unreadable('json', `Line ${line} is not valid JSON`) }
  }
}

/**
 * NDJSON: one JSON value a line; blank lines are skipped; a line that is not JSON, or is over
 * `maxLineBytes`, fails alone. Linear in the input whatever the line lengths: only new bytes
 * are scanned for a newline, and a line's pieces are joined (and decoded) once, when it ends.
 * A line past the cap is counted, not kept, so memory stays bounded by the cap.
 */
export async function * ndjsonRecords (input: AsyncIterable<Buffer>, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<ImportRecord> {
  let pieces: Buffer[] = []
  let size = 0
  let line = 0
  const keep = (piece: Buffer) => {
    size += piece.length
    if (size <= maxLineBytes) pieces.push(piece)
    else pieces = []
  }
  const endLine = (): ImportRecord | undefined => {
    line++
    // A newline byte never occurs inside a multi-byte UTF-8 character, so a line decodes on its own.
    const record = size > maxLineBytes
      ? { ref: { line }, error: new TooLarge(`Line ${line} is over ${maxLineBytes / 1024 / 1024} MiB, the most one record may be`) }
      : parseLine(Buffer.concat(pieces, size).toString('utf8'), line)
    pieces = []
    size = 0
    return record
  }
  for await (const chunk of input) {
    let start = 0
    for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, start)) {
      keep(chunk.subarray(start, end))
      const record = endLine()
      if (record !== undefined) yield record
      start = end + 1
    }
    keep(chunk.subarray(start))
  }
  const last = endLine()
  if (last !== undefined) yield last
}

/** The CSV columns of an export, as the claim they describe; empty cells count as missing. */
export function csvRowToItem (cells: Record<string, string>): Record<string, unknown> {
  // The export's formula guard comes off first (see csv-formulas.ts).
  const row = Object.fromEntries(Object.entries(cells).map(([name, value]) => [name, restoreFormula(value)]))
  const cell = (name: string) => (row[name] === undefined || row[name].trim() === '' ? undefined : row[name])
  const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
  const known = new Set(['text', 'quote', 'speakerName', 'speakerKind', 'speakerDescription', 'sourceTitle', 'sourcePublisher',
    'sourceUrl', 'sourceKind', 'sourcePublishedAt', 'claimedAt', 'context', 'topics', 'language', ...EXPORT_ONLY])
  const unknown = Object.keys(row).filter((name) => !known.has(name))
  return defined({
    text: cell('text'),
    quote: cell('quote'),
    speaker: defined({ name: cell('speakerName'), kind: cell('speakerKind'), description: cell('speakerDescription') }),
    source: defined({
      title: cell('sourceTitle'), publisher: cell('sourcePublisher'), url: cell('sourceUrl'), kind: cell('sourceKind'), publishedAt: cell('sourcePublishedAt')
    }),
    claimedAt: cell('claimedAt'),
    context: cell('context'),
    topics: cell('topics')?.split(';').map((t) => t.trim()).filter((t) => t !== ''),
    language: cell('language'),
    // Unknown columns are reported like unknown JSON fields, not silently dropped.
    ...Object.fromEntries(unknown.map((name) => [name, row[name]]))
  })
}

/** Read-only columns of an export, accepted and ignored on import. */
export const EXPORT_ONLY = ['id', 'status', 'reviewCount', 'lastReviewedAt', 'createdAt', 'updatedAt', 'version']

/** CSV with a header row (the export's columns); a malformed row fails alone where possible. */
export async function * csvRecords (input: AsyncIterable<Buffer>): AsyncGenerator<ImportRecord> {
  const parser = parseCsv({ columns: true, bom: true, info: true, skip_empty_lines: true, relax_column_count: true })
  pipeline(Readable.from(input), parser, (error) => { if (error != null) parser.destroy(error) })
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>, info: { lines: number } }>) {
      yield { ref: { line: info.lines }, value: csvRowToItem(record) }
    }
  } catch (error) {
    // A CSV syntax error (say, an unclosed quote) ends the file there: rows before it stay committed.
    if (error instanceof CsvError) throw new Invalid(`The CSV cannot be read past this point: ${error.message}`)
    throw error
  }
}
