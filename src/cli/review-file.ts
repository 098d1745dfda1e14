/**
 * Reading a reviews file for `claimledger review`: CSV with a header row, or NDJSON, with
 * the columns claimId, verdict, note, evidenceUrl, evidenceStance (and optionally
 * evidenceTitle, expectedVersion, clientRef). Each row becomes a bulk review item, checked
 * here with the API's own schema so that a bad row is reported without a round trip.
 *
 * Every item carries a `clientRef`, the row's own identity on the server: the file's
 * `clientRef` column when it has one, else a hash of what the row asks for (claim, verdict,
 * note, evidence). The server never applies a clientRef twice, so rerunning the file —
 * edited elsewhere, in other batches, next week — applies each row at most once.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { CsvError, parse } from 'csv-parse/sync'
import { canonicalJson } from '../audit/ledger.js'
import { restoreFormula } from '../claims/csv-formulas.js'
import { claimStatus } from '../claims/schemas.js'
import { isUuid } from '../db/ids.js'
import { invalid } from '../http/problems.js'
import { bulkReviewItem, type BulkReview } from '../reviews/schemas.js'
import { Fatal } from './fatal.js'
import { assertReadable } from './files.js'

export type ReviewItem = BulkReview['items'][number]

/**
 * A row as the file has it: its line and its fields, untouched (the report writes them back);
 * `unparsable` holds an NDJSON line that is not a JSON object.
 */
export interface Row { line: number, fields: Record<string, unknown>, unparsable?: string }
export interface Rejected { row: Row, reason: string }

export interface ReviewFile {
  format: 'csv' | 'ndjson'
  /** CSV: the header's columns, in order. */
  columns: string[]
  valid: Array<{ row: Row, item: ReviewItem }>
  rejected: Rejected[]
}

const DEFAULT_STANCE = { corroborated: 'supports', disputed: 'refutes', unverified: 'context' } as const

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '')

function csvRows (text: string): { columns: string[], rows: Row[] } {
  let columns: string[] = []
  try {
    const records = parse(text, {
      columns: (header: string[]) => { columns = header; return header },
      bom: true,
      skip_empty_lines: true,
      info: true,
      trim: true,
      relax_column_count: true
    }) as Array<{ record: Record<string, string>, info: { lines: number } }>
    // A report fed back carries the formula guard its cells were written with (see writeReport).
    const cells = (record: Record<string, string>) => Object.fromEntries(Object.entries(record).map(([name, value]) => [name, restoreFormula(value)]))
    return { columns, rows: records.map(({ record, info }) => ({ line: info.lines, fields: cells(record) })) }
  } catch (error) {
    if (error instanceof CsvError) throw new Fatal(`cannot read the CSV: ${error.message}`)
    throw error
  }
}

function ndjsonRows (text: string): Row[] {
  return text.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return []
    try {
      const value: unknown = JSON.parse(line)
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return [{ line: i + 1, fields: value as Record<string, unknown> }]
    } catch {}
    return [{ line: i + 1, fields: {}, unparsable: line }]
  })
}

/**
 * A row as the API's bulk item: evidence from the evidence columns (stance defaulting to what
 * the verdict implies), empty cells missing. Other columns are ignored, so a working
 * spreadsheet may keep its own notes beside the ones sent (and a rejected-rows report, with
 * its `line` and `reason`, can be fed back as it is).
 */
export function toItem (fields: Record<string, unknown>): Record<string, unknown> {
  const { claimId, verdict, note, evidenceUrl, evidenceStance, evidenceTitle, expectedVersion, evidence, clientRef } = fields
  const item: Record<string, unknown> = { claimId, verdict, note }
  if (!blank(evidence)) item.evidence = evidence
  else if (!blank(evidenceUrl)) {
    item.evidence = [{
      url: evidenceUrl,
      stance: blank(evidenceStance) ? DEFAULT_STANCE[verdict as keyof typeof DEFAULT_STANCE] : evidenceStance,
      ...(blank(evidenceTitle) ? {} : { title: evidenceTitle })
    }]
  }
  if (!blank(expectedVersion)) item.expectedVersion = Number(expectedVersion)
  if (!blank(clientRef)) item.clientRef = clientRef
  return item
}

/** The row's identity on the server when the file gives none: what it asks for, hashed. */
export function derivedClientRef (item: ReviewItem): string {
  const { claimId, verdict, note, evidence } = item
  const asked = canonicalJson({ claimId, verdict, note, evidence: evidence.map(({ url, title, stance }) => (title == null ? { url, stance } : { url, title, stance })) })
  return 'row:' + createHash('sha256').update(asked).digest('hex').slice(0, 40)
}

/** Why a row cannot be sent, checked before the schema so each mistake gets one clear message. */
function precheck ({ fields, unparsable }: Row): string | undefined {
  if (unparsable !== undefined) return 'not valid JSON (one JSON object a line)'
  const { claimId, verdict } = fields
  if (blank(claimId)) return 'claimId is required'
  if (typeof claimId !== 'string' || !isUuid(claimId.trim())) return `claimId must be a claim's UUID (got ${JSON.stringify(claimId)})`
  if (!claimStatus.safeParse(typeof verdict === 'string' ? verdict.trim() : verdict).success) {
    return `verdict must be one of ${claimStatus.options.join(', ')} (got ${JSON.stringify(verdict ?? '')})`
  }
  return undefined
}

export function readReviewFile (path: string): ReviewFile {
  assertReadable(path)
  const text = readFileSync(path, 'utf8')
  const lower = path.toLowerCase()
  const csv = lower.endsWith('.csv') || (!lower.endsWith('.ndjson') && !text.trimStart().startsWith('{'))
  const { columns, rows } = csv ? csvRows(text) : { columns: [], rows: ndjsonRows(text) }
  const result: ReviewFile = { format: csv ? 'csv' : 'ndjson', columns, valid: [], rejected: [] }

  // A claim listed twice would be reviewed twice, in an order nobody chose: every row naming it is refused.
  const linesOf = new Map<string, number[]>()
  for (const { line, fields } of rows) {
    if (typeof fields.claimId === 'string' && fields.claimId.trim() !== '') {
      const id = fields.claimId.trim().toLowerCase()
      linesOf.set(id, [...(linesOf.get(id) ?? []), line])
    }
  }

  for (const row of rows) {
    const reason = precheck(row)
    if (reason !== undefined) {
      result.rejected.push({ row, reason })
      continue
    }
    const lines = linesOf.get(String(row.fields.claimId).trim().toLowerCase()) ?? []
    if (lines.length > 1) {
      result.rejected.push({ row, reason: `claim ${String(row.fields.claimId).trim()} is on lines ${lines.join(', ')}: review it once per file` })
      continue
    }
    const parsed = bulkReviewItem.safeParse(toItem(row.fields))
    if (!parsed.success) {
      result.rejected.push({ row, reason: invalid(parsed.error).message })
      continue
    }
    result.valid.push({ row, item: { ...parsed.data, clientRef: parsed.data.clientRef ?? derivedClientRef(parsed.data) } })
  }
  return result
}
