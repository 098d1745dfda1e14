/**
 * Reading a reviews file for `claimledger review`: CSV with a header row, or NDJSON, with
 * the columns claimId, verdict, note, evidenceUrl, evidenceStance (and optionally
 * evidenceTitle, expectedVersion, clientRef). Each row becomes a bulk review item, checked
 * here with the API's own schema so that a bad row is reported without a round trip.
 *
 * Every item carries a `clientRef`, the row's identity on the server: the file's `clientRef`
 * column when it has one, else the job (the file's name, or --job) and the claim, which a file
 * lists once. The server never applies a clientRef twice for one key, so rerunning the file —
 * edited or not, in other batches, next week, or its rejected rows fed back — applies each
 * row at most once; a row edited after it went through comes back as a 409 saying so.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { CsvError, parse } from 'csv-parse/sync'
import { restoreFormula } from '../modules/claims/csv-formulas.js'
import { claimStatus } from '../modules/claims/schemas.js'
import { isUuid } from '../db/ids.js'
import { type DomainError, invalidFrom } from '../core/errors.js'
import { decodeUtf8 } from '../core/utf8.js'
import { assertVerdictRules } from '../modules/reviews/rules.js'
import { bulkReviewItem, type BulkReview } from '../modules/reviews/schemas.js'
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

const lowercase = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v)
const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '')

/**
 * Line numbers as a spreadsheet user counts them: a row's first line (a cell may hold line
 * breaks), CRLF counting once. csv-parse gives only where each record ends, in bytes; a record
 * starts where the one before it ended, past any blank lines.
 */
function lineCounter (bytes: Buffer) {
  let offset = 0
  let line = 1
  return (end: number): number => {
    for (; offset < end; offset++) {
      const byte = bytes[offset]
      if (byte === 0x0a || (byte === 0x0d && bytes[offset + 1] !== 0x0a)) line++
    }
    return line
  }
}

function csvRows (text: string): { columns: string[], rows: Row[] } {
  try {
    const records = parse(text, { bom: true, skip_empty_lines: true, info: true, trim: true, relax_column_count: true }) as unknown as
      Array<{ record: string[], info: { bytes: number } }>
    const [header, ...body] = records
    const columns = header?.record ?? []
    const bytes = Buffer.from(text)
    const lineAt = lineCounter(bytes)
    const blankByte = (byte: number | undefined) => byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a
    let start = header?.info.bytes ?? 0
    const rows = body.map(({ record, info }) => {
      while (start < info.bytes && blankByte(bytes[start])) start++
      const line = lineAt(start)
      start = info.bytes
      // A report fed back carries the formula guard its cells were written with (see writeReport).
      const fields = Object.fromEntries(columns.flatMap((name, i) => (i < record.length ? [[name, restoreFormula(record[i] ?? '')]] : [])))
      return { line, fields }
    })
    return { columns, rows }
  } catch (error) {
    if (error instanceof CsvError) throw new Fatal(`cannot read the CSV: ${error.message}`)
    throw error
  }
}

/** The lines on which each (trimmed, case-folded) value of `column` stands. */
function linesBy (rows: Row[], column: string): Map<string, number[]> {
  const lines = new Map<string, number[]>()
  for (const { line, fields } of rows) {
    const value = fields[column]
    if (typeof value !== 'string' || value.trim() === '') continue
    const key = value.trim().toLowerCase()
    lines.set(key, [...(lines.get(key) ?? []), line])
  }
  return lines
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
  const { claimId, note, evidenceUrl, evidenceTitle, expectedVersion, evidence, clientRef } = fields
  // Spreadsheets capitalise the first letter of a cell ("Disputed"): the words are read in any case.
  const verdict = lowercase(fields.verdict)
  const evidenceStance = lowercase(fields.evidenceStance)
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

/**
 * The job a file's rows belong to by default: its name, without the `.rejected.csv` of a
 * report fed back (so a report's rows are the rows of the file it came from).
 */
export function defaultJob (path: string): string {
  return basename(path).replace(/(\.rejected\.(csv|ndjson))+$/i, '')
}

/** A row's identity on the server when the file gives none: its job and its claim. */
export function derivedClientRef (job: string, claimId: string): string {
  // clientRef holds 200 characters: a long job name is shortened to a hash of itself.
  const name = job.length <= 120 ? job : createHash('sha256').update(job).digest('hex').slice(0, 32)
  return `${name}#${claimId.toLowerCase()}`
}

/** Why a row cannot be sent, checked before the schema so each mistake gets one clear message. */
function precheck ({ fields, unparsable }: Row): string | undefined {
  if (unparsable !== undefined) return 'not valid JSON (one JSON object a line)'
  const { claimId, verdict } = fields
  if (blank(claimId)) return 'claimId is required'
  if (typeof claimId !== 'string' || !isUuid(claimId.trim())) return `claimId must be a claim's UUID (got ${JSON.stringify(claimId)})`
  if (!claimStatus.safeParse(lowercase(verdict)).success) {
    return `verdict must be one of ${claimStatus.options.join(', ')} (got ${JSON.stringify(verdict ?? '')})`
  }
  return undefined
}

/**
 * The file as text. Bytes that are not UTF-8 (a spreadsheet saved as Windows-1252, say) would
 * reach the server as U+FFFD in every accented name and note: the file is refused instead.
 */
function readText (path: string): string {
  try {
    return decodeUtf8(readFileSync(path))
  } catch (error) {
    const { line } = (error as DomainError).details
    throw new Fatal(`${path} is not UTF-8 text (line ${String(line)}): save it as UTF-8 (in a spreadsheet, "CSV UTF-8") and run again`)
  }
}

/** The columns a CSV must have; a header without them is a file in another shape, not bad rows. */
const REQUIRED_COLUMNS = ['claimId', 'verdict']

export function readReviewFile (path: string, job = defaultJob(path)): ReviewFile {
  assertReadable(path)
  const text = readText(path)
  const lower = path.toLowerCase()
  const csv = lower.endsWith('.csv') || (!lower.endsWith('.ndjson') && !text.trimStart().startsWith('{'))
  const { columns, rows } = csv ? csvRows(text) : { columns: [], rows: ndjsonRows(text) }
  const missing = REQUIRED_COLUMNS.filter((column) => !columns.includes(column))
  if (csv && rows.length > 0 && missing.length > 0) {
    throw new Fatal(`${path} has no ${missing.join(' or ')} column; its header reads ${JSON.stringify(columns.join(','))}. ` +
      'The first row names the columns (claimId, verdict, note, evidenceUrl…), separated by commas')
  }
  if (csv && columns.length === 0) throw new Fatal(`${path} is empty: its first row names the columns (claimId, verdict, note, evidenceUrl…)`)
  // A report fed back: its rows keep the line they have in the desk's sheet.
  for (const row of rows) {
    const { line, reason } = row.fields
    if (reason !== undefined && Number.isSafeInteger(Number(line)) && Number(line) > 0) row.line = Number(line)
  }
  const result: ReviewFile = { format: csv ? 'csv' : 'ndjson', columns, valid: [], rejected: [] }

  // A claim listed twice would be reviewed twice, in an order nobody chose, and a clientRef given
  // twice would apply once and refuse the other: every row naming either is refused.
  const claims = linesBy(rows, 'claimId')
  const refs = linesBy(rows, 'clientRef')

  for (const row of rows) {
    const reason = precheck(row)
    if (reason !== undefined) {
      result.rejected.push({ row, reason })
      continue
    }
    const sameClaim = claims.get(String(row.fields.claimId).trim().toLowerCase()) ?? []
    const sameRef = blank(row.fields.clientRef) ? [] : refs.get(String(row.fields.clientRef).trim().toLowerCase()) ?? []
    if (sameClaim.length > 1 || sameRef.length > 1) {
      result.rejected.push({
        row,
        reason: sameClaim.length > 1
          ? `claim ${String(row.fields.claimId).trim()} is on lines ${sameClaim.join(', ')}: review it once per file`
          : `clientRef ${String(row.fields.clientRef).trim()} is on lines ${sameRef.join(', ')}: each row needs its own`
      })
      continue
    }
    const parsed = bulkReviewItem.safeParse(toItem(row.fields))
    if (!parsed.success) {
      result.rejected.push({ row, reason: invalidFrom(parsed.error).message })
      continue
    }
    try {
      assertVerdictRules(parsed.data)
    } catch (error) {
      result.rejected.push({ row, reason: (error as Error).message })
      continue
    }
    result.valid.push({ row, item: { ...parsed.data, clientRef: parsed.data.clientRef ?? derivedClientRef(job, parsed.data.claimId) } })
  }
  return result
}
