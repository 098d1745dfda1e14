/**
 * Reading a reviews file for `claimledger review`: CSV with a header row, or NDJSON, with
 * the columns claimId, verdict, note, evidenceUrl, evidenceStance (and optionally
 * evidenceTitle, expectedVersion). Each row becomes a bulk review item, checked here with
 * the API's own schema so a bad row is reported without a round trip.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { CsvError, parse } from 'csv-parse/sync'
import { invalid } from '../http/problems.js'
import { bulkReviewItem, type BulkReview } from '../reviews/schemas.js'
import { Fatal } from './fatal.js'

export type ReviewItem = BulkReview['items'][number]

export interface Row { line: number, fields: Record<string, unknown> }
export interface Rejected { line: number, claimId: string, reason: string }

export interface ReviewFile {
  /** sha256 of the file's bytes: with the batch index, the batches' Idempotency-Keys. */
  hash: string
  valid: Array<{ line: number, item: ReviewItem }>
  rejected: Rejected[]
}

const DEFAULT_STANCE: Record<string, string> = { corroborated: 'supports', disputed: 'refutes', unverified: 'context' }

function rows (text: string, csv: boolean): Row[] {
  if (csv) {
    try {
      const records = parse(text, { columns: true, bom: true, skip_empty_lines: true, info: true, trim: true, relax_column_count: true }) as
        Array<{ record: Record<string, string>, info: { lines: number } }>
      return records.map(({ record, info }) => ({ line: info.lines, fields: record }))
    } catch (error) {
      if (error instanceof CsvError) throw new Fatal(`cannot read the CSV: ${error.message}`)
      throw error
    }
  }
  return text.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return []
    try {
      return [{ line: i + 1, fields: JSON.parse(line) as Record<string, unknown> }]
    } catch {
      return [{ line: i + 1, fields: { __unparsable: line } }]
    }
  })
}

/**
 * A row as the API's bulk item: evidence from the evidence columns (stance defaulting to
 * what the verdict implies), empty cells missing. Other columns are ignored, so a working
 * spreadsheet may keep its own notes beside the ones sent.
 */
export function toItem (fields: Record<string, unknown>): Record<string, unknown> {
  const { claimId, verdict, note, evidenceUrl, evidenceStance, evidenceTitle, expectedVersion, evidence } = fields
  const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '')
  const item: Record<string, unknown> = { claimId, verdict, note }
  if (!blank(evidence)) item.evidence = evidence
  else if (!blank(evidenceUrl)) {
    item.evidence = [{
      url: evidenceUrl,
      stance: blank(evidenceStance) ? DEFAULT_STANCE[String(verdict)] ?? evidenceStance : evidenceStance,
      ...(blank(evidenceTitle) ? {} : { title: evidenceTitle })
    }]
  }
  if (!blank(expectedVersion)) item.expectedVersion = Number(expectedVersion)
  return item
}

export function readReviewFile (path: string): ReviewFile {
  const bytes = readFileSync(path)
  const text = bytes.toString('utf8')
  const csv = path.toLowerCase().endsWith('.csv') || (!path.toLowerCase().endsWith('.ndjson') && !text.trimStart().startsWith('{'))
  const result: ReviewFile = { hash: createHash('sha256').update(bytes).digest('hex'), valid: [], rejected: [] }
  for (const { line, fields } of rows(text, csv)) {
    const claimId = String(fields.claimId ?? '')
    if ('__unparsable' in fields) {
      result.rejected.push({ line, claimId, reason: 'not valid JSON' })
      continue
    }
    const parsed = bulkReviewItem.safeParse(toItem(fields))
    if (parsed.success) result.valid.push({ line, item: parsed.data })
    else result.rejected.push({ line, claimId, reason: invalid(parsed.error).message })
  }
  return result
}
