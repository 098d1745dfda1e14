/**
 * Export of claims in NDJSON or CSV, streamed page by page (keyset, so constant memory for
 * any number of claims). A record names its speaker and source inline, as an import takes
 * them, so an export re-imports as it is into another Claimledger.
 */
import { Readable } from 'node:stream'
import { stringify } from 'csv-stringify'
import type { Appearance } from '../appearances/repository.js'
import type { AppearancesService } from '../appearances/service.js'
import type { Source } from '../sources/schemas.js'
import type { SourcesService } from '../sources/service.js'
import type { Speaker } from '../speakers/schemas.js'
import type { SpeakersService } from '../speakers/service.js'
import { neutraliseFormula } from './csv-formulas.js'
import { claimSortKey, type Claim, type ClaimCursor, type ClaimFilter } from './schemas.js'
import type { ClaimsService } from './service.js'

export const EXPORT_PAGE = 500

export const CSV_COLUMNS = [
  'id', 'text', 'quote', 'speakerName', 'speakerKind', 'speakerDescription', 'sourceTitle', 'sourcePublisher', 'sourceUrl',
  'sourceKind', 'sourcePublishedAt', 'claimedAt', 'context', 'topics', 'language', 'status', 'reviewCount', 'lastReviewedAt',
  'createdAt', 'updatedAt', 'version'
] as const

export interface ExportRecord {
  id: string
  text: string
  quote: string | null
  speaker: { name: string, kind: string, description: string | null }
  source: { title: string, publisher: string | null, url: string | null, kind: string, publishedAt: string | null }
  claimedAt: string
  context: string | null
  topics: string[]
  language: string
  status: Claim['status']
  reviewCount: number
  lastReviewedAt: string | null
  createdAt: string
  updatedAt: string
  version: number
  /** NDJSON only (a CSV row has no room for a list): where and when else it was made, its source and speaker inline. */
  appearances: ExportAppearance[]
}

export interface ExportAppearance {
  source: ExportRecord['source']
  speaker: ExportRecord['speaker'] | null
  appearedAt: string
  url: string | null
  quote: string | null
}

/** Every claim the filter selects, as export records, one page of the store at a time. */
/** What an export reads: claims, their appearances, and the speakers and sources they name. */
export interface ExportDeps {
  claims: Pick<ClaimsService, 'list'>
  appearances: Pick<AppearancesService, 'ofClaims'>
  speakers: Pick<SpeakersService, 'getMany'>
  sources: Pick<SourcesService, 'getMany'>
}

const inlineSpeaker = ({ name, kind, description }: Speaker): ExportRecord['speaker'] => ({ name, kind, description })
const inlineSource = ({ title, publisher, url, kind, publishedAt }: Source): ExportRecord['source'] => ({ title, publisher, url, kind, publishedAt })

export async function * exportRecords (services: ExportDeps, filter: Omit<ClaimFilter, 'limit'>): AsyncGenerator<ExportRecord> {
  let after: ClaimCursor | undefined
  for (;;) {
    const page = await services.claims.list({ ...filter, limit: EXPORT_PAGE }, after)
    const named = await services.appearances.ofClaims(page.map((c) => c.id))
    const appearances = new Map<string, Appearance[]>()
    for (const a of named) appearances.set(a.claimId, [...appearances.get(a.claimId) ?? [], a])
    const speakers = new Map((await services.speakers.getMany([...new Set([...page.map((c) => c.speakerId), ...named.flatMap((a) => a.speaker?.id ?? [])])]))
      .map((s) => [s.id, s]))
    const sources = new Map((await services.sources.getMany([...new Set([...page.map((c) => c.sourceId), ...named.map((a) => a.source.id)])])).map((s) => [s.id, s]))
    for (const claim of page) {
      const speaker = speakers.get(claim.speakerId)
      const source = sources.get(claim.sourceId)
      if (speaker === undefined || source === undefined) continue // deleted between pages: skip, never guess
      const seen = (appearances.get(claim.id) ?? []).map((a) => {
        const where = sources.get(a.source.id)
        const who = a.speaker === null ? null : speakers.get(a.speaker.id)
        return where === undefined || who === undefined ? undefined : { source: inlineSource(where), speaker: who === null ? null : inlineSpeaker(who), appearedAt: a.appearedAt, url: a.url, quote: a.quote }
      })
      yield {
        id: claim.id,
        text: claim.text,
        quote: claim.quote,
        speaker: inlineSpeaker(speaker),
        source: inlineSource(source),
        claimedAt: claim.claimedAt,
        context: claim.context,
        topics: claim.topics,
        language: claim.language,
        status: claim.status,
        reviewCount: claim.reviewCount,
        lastReviewedAt: claim.lastReviewedAt,
        createdAt: claim.createdAt,
        updatedAt: claim.updatedAt,
        version: claim.version,
        // A source or speaker an appearance names cannot be deleted: none is missing but for a read between pages.
        appearances: seen.flatMap((a) => a ?? [])
      }
    }
    const last = page.at(-1)
    if (page.length < EXPORT_PAGE || last === undefined) return
    after = claimSortKey(filter.sort, last)
    // Let other requests in between pages: an export of a million claims must not starve them.
    await new Promise((resolve) => setImmediate(resolve))
  }
}

type CsvRow = Record<typeof CSV_COLUMNS[number], string | number | null>

/** The CSV cells of a record, each safe to open in a spreadsheet (see csv-formulas.ts). */
export function csvRow (r: ExportRecord): CsvRow {
  const row: CsvRow = {
    id: r.id,
    text: r.text,
    quote: r.quote,
    speakerName: r.speaker.name,
    speakerKind: r.speaker.kind,
    speakerDescription: r.speaker.description,
    sourceTitle: r.source.title,
    sourcePublisher: r.source.publisher,
    sourceUrl: r.source.url,
    sourceKind: r.source.kind,
    sourcePublishedAt: r.source.publishedAt,
    claimedAt: r.claimedAt,
    context: r.context,
    topics: r.topics.join(';'),
    language: r.language,
    status: r.status,
    reviewCount: r.reviewCount,
    lastReviewedAt: r.lastReviewedAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    version: r.version
  }
  return Object.fromEntries(Object.entries(row).map(([name, cell]) => [name, typeof cell === 'string' ? neutraliseFormula(cell) : cell])) as CsvRow
}

/** Records as RFC 4180 CSV with a header row. */
export function csvStream (records: Readable): Readable {
  return records.map(csvRow).pipe(stringify({ header: true, columns: [...CSV_COLUMNS], quoted_string: false, record_delimiter: 'unix' }))
}

/** The export as a byte stream in the given format. */
export function exportStream (services: ExportDeps, filter: Omit<ClaimFilter, 'limit'>, format: 'ndjson' | 'csv'): Readable {
  const records = Readable.from(exportRecords(services, filter))
  if (format === 'ndjson') {
    return Readable.from((async function * () {
      for await (const record of records) yield JSON.stringify(record) + '\n'
    })())
  }
  return csvStream(records)
}
