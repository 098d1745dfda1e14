/**
 * `claimledger review FILE`: applies a file of verdicts through `POST /v1/reviews/bulk` in
 * batches of up to 1000.
 *
 * Two guarantees, at two levels. Every row carries a clientRef (see review-file.ts), so the
 * server applies a row at most once however often, in whatever batches and however long
 * after, the file is run. Every batch carries an Idempotency-Key made from its own content,
 * so a transport retry of a batch whose answer was lost gets that answer back. 429, 5xx,
 * timeouts and dropped connections are retried with exponential backoff (honouring
 * Retry-After); a server that is not there at all (connection refused, unknown host) stops
 * the run at once, saying where it was.
 */
import { createHash } from 'node:crypto'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { SingleBar, Presets } from 'cli-progress'
import { stringify } from 'csv-stringify/sync'
import { canonicalJson } from '../modules/audit/ledger.js'
import { neutraliseFormula } from '../modules/claims/csv-formulas.js'
import { Fatal } from './fatal.js'
import { readReviewFile, type Rejected, type ReviewFile, type ReviewItem } from './review-file.js'

export interface ReviewOptions {
  file: string
  url: string
  key: string
  batchSize: number
  /** The job the rows belong to (their clientRefs); undefined: the file's name (see review-file.ts). */
  job?: string | undefined
  /** Where rejected rows go; undefined: beside the file (FILE.rejected.csv or .ndjson). */
  report?: string | undefined
  dryRun: boolean
  retries: number
  /** Base backoff in ms (doubled per attempt, with jitter). */
  backoff: number
  /** Per-attempt time limit in ms. */
  timeout: number
  progress: boolean
  log: (line: string) => void
}

export interface ReviewSummary {
  rows: number
  /** Applied by this run. */
  applied: number
  /** Applied by an earlier run (their clientRef was known): not applied again. */
  appliedBefore: number
  rejected: Rejected[]
  /** Where the rejected rows were written, or the stale report that a clean run removed. */
  report: string
  staleReportRemoved: boolean
}

interface BulkResult { index: number, ok: boolean, replayed?: boolean, error?: { status: number, detail: string } }

/** Errors that prove nobody is listening: retrying them only delays the message. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])
/** Errors that prove the server speaks another protocol (https to an http server, say). */
const WRONG_PROTOCOL = /^(EPROTO|ERR_SSL_|ERR_TLS_|HPE_)/

/** --url as the API's base: http(s) only, said in one line otherwise (not a TypeError from fetch). */
export function apiBase (url: string): URL {
  let base: URL | undefined
  try { base = new URL(url) } catch {}
  if (base === undefined || (base.protocol !== 'http:' && base.protocol !== 'https:')) {
    throw new Fatal(`--url must be the API's http(s) address, like http://127.0.0.1:3000 (got ${JSON.stringify(url)})`)
  }
  return base
}

function networkCode (error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } }).cause
  return typeof cause?.code === 'string' ? cause.code : undefined
}

/**
 * Answers that say --url is not a Claimledger API (or not this version of it): every batch
 * would get the same, so the run stops rather than report each row as rejected.
 */
const NOT_AN_API = new Set([404, 405, 501])

/** A batch's outcome; `replayed`: the server had seen this batch and sent back its first answer. */
type Outcome = { results: BulkResult[], replayed: boolean } | { error: string }

async function post (opts: ReviewOptions, items: ReviewItem[], doing: string): Promise<Outcome> {
  const endpoint = new URL('/v1/reviews/bulk', apiBase(opts.url))
  const body = JSON.stringify({ atomic: false, items })
  const key = 'review-' + createHash('sha256').update(canonicalJson(items)).digest('hex').slice(0, 48)
  for (let attempt = 0; ; attempt++) {
    let retryAfter: number | undefined
    let why: string
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.key}`, 'content-type': 'application/json', 'idempotency-key': key },
        body,
        signal: AbortSignal.timeout(opts.timeout)
      })
      const answer = await res.json().catch(() => undefined) as { results?: BulkResult[], detail?: string } | undefined
      // A result for every row sent, by index: anything else is not this API's bulk answer.
      const results = answer?.results
      const complete = Array.isArray(results) && results.length === items.length && results.every((r, i) => r?.index === i)
      // A replay answering a retry is, as far as anyone can tell, this run's own earlier attempt
      // whose answer was lost on the way: those rows were applied now, not by an earlier run.
      if (res.ok && complete) return { results, replayed: attempt === 0 && res.headers.get('idempotent-replayed') === 'true' }
      if (res.ok || NOT_AN_API.has(res.status)) {
        throw new Fatal(`${endpoint.href} answered ${res.status}${res.ok ? ' without a result for each row' : ''} ${doing}: is --url a Claimledger API?`)
      }
      if (res.status === 401 || res.status === 403) throw new Fatal(`${endpoint.href} answered ${res.status} ${doing}: ${answer?.detail ?? res.statusText}`)
      if (res.status !== 429 && res.status < 500) return { error: `${res.status}: ${answer?.detail ?? res.statusText}` }
      why = `HTTP ${res.status}`
      const header = Number(res.headers.get('retry-after'))
      if (Number.isFinite(header) && header > 0) retryAfter = header * 1000
    } catch (error) {
      if (error instanceof Fatal) throw error
      const code = networkCode(error)
      if (code !== undefined && UNREACHABLE.has(code)) {
        throw new Fatal(`cannot reach ${endpoint.href} (${code}) ${doing}: is the server running, and is --url right?`)
      }
      if (code !== undefined && WRONG_PROTOCOL.test(code)) {
        throw new Fatal(`${endpoint.href} does not answer in ${endpoint.protocol.slice(0, -1)} (${code}) ${doing}: is --url's scheme right?`)
      }
      why = (error as Error).name === 'TimeoutError' ? `no answer within ${opts.timeout / 1000} s` : code ?? (error as Error).message
    }
    if (attempt >= opts.retries) throw new Fatal(`giving up on ${endpoint.href} ${doing} after ${attempt + 1} attempts: ${why}`)
    const wait = retryAfter ?? opts.backoff * 2 ** attempt * (0.5 + Math.random())
    opts.log(`  retrying in ${Math.round(wait)} ms (${why})`)
    await sleep(wait)
  }
}

/**
 * Where rejected rows go by default: beside the file, in its own format. A report fed back is
 * its own report: rewritten with the rows still rejected (and left as it is, never deleted,
 * once none is: it is the user's file now).
 */
export const defaultReport = (file: string, format: ReviewFile['format']) =>
  /\.rejected\.(csv|ndjson)$/i.test(file) ? file : `${file}.rejected.${format}`

/**
 * The rejected rows as the file had them, plus `line` and `reason`: fix them in the report and
 * feed it back as it is (the extra columns are ignored on the way in, the formula guard removed).
 */
function writeReport (path: string, file: ReviewFile, rejected: Rejected[]): void {
  if (file.format === 'ndjson') {
    writeFileSync(path, rejected.map(({ row, reason }) =>
      JSON.stringify({ ...row.fields, ...(row.unparsable === undefined ? {} : { text: row.unparsable }), line: row.line, reason }) + '\n').join(''))
    return
  }
  const columns = [...file.columns.filter((c) => c !== 'line' && c !== 'reason'), 'line', 'reason']
  // The report is opened in a spreadsheet: cells that would run as formulas get the export's guard.
  const guarded = (fields: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, typeof value === 'string' ? neutraliseFormula(value) : value]))
  writeFileSync(path, stringify(rejected.map(({ row, reason }) => guarded({ ...row.fields, line: row.line, reason })), { header: true, columns }))
}

/**
 * The valid rows in batches of at most `size` rows and of a body well under the API's 1 MiB
 * limit (1000 rows with long notes would pass the first and break the second).
 */
function batchesOf (rows: ReviewFile['valid'], size: number): Array<ReviewFile['valid']> {
  const batches: Array<ReviewFile['valid']> = []
  let batch: ReviewFile['valid'] = []
  let bytes = 0
  for (const row of rows) {
    const rowBytes = Buffer.byteLength(JSON.stringify(row.item)) + 1
    if (batch.length > 0 && (batch.length >= size || bytes + rowBytes > MAX_BATCH_BYTES)) {
      batches.push(batch)
      batch = []
      bytes = 0
    }
    batch.push(row)
    bytes += rowBytes
  }
  if (batch.length > 0) batches.push(batch)
  return batches
}

/** A batch's body stays this far under the API's 1 MiB JSON limit. */
const MAX_BATCH_BYTES = 900 * 1024

export async function runReview (opts: ReviewOptions): Promise<ReviewSummary> {
  if (!opts.dryRun) apiBase(opts.url)
  const file = readReviewFile(opts.file, opts.job)
  const report = opts.report ?? defaultReport(opts.file, file.format)
  const summary: ReviewSummary = {
    rows: file.valid.length + file.rejected.length, applied: 0, appliedBefore: 0, rejected: [...file.rejected], report, staleReportRemoved: false
  }
  const batches = batchesOf(file.valid, opts.batchSize)
  const finish = () => {
    summary.rejected.sort((a, b) => a.row.line - b.row.line)
    // A dry run lists what it rejects and touches no file (a report may hold the desk's fixes,
    // not yet sent), unless told where to write with --report.
    const writes = !opts.dryRun || (opts.report !== undefined && opts.report !== opts.file)
    if (opts.dryRun) for (const { row, reason } of summary.rejected) opts.log(`line ${row.line}: ${reason}`)
    if (writes && summary.rejected.length > 0) writeReport(report, file, summary.rejected)
    else if (!opts.dryRun && report !== opts.file && existsSync(report)) {
      // A report from an earlier run would now describe rows that have since gone through.
      rmSync(report)
      summary.staleReportRemoved = true
    }
  }

  if (!opts.dryRun) {
    const bar = opts.progress ? new SingleBar({ format: 'reviews [{bar}] {value}/{total} | {eta_formatted} left | {rejected} rejected' }, Presets.shades_classic) : undefined
    bar?.start(file.valid.length, 0, { rejected: summary.rejected.length })
    let sent = 0
    try {
      for (const [index, batch] of batches.entries()) {
        const doing = `while sending batch ${index + 1}/${batches.length} (lines ${batch[0]?.row.line}–${batch.at(-1)?.row.line}; ` +
          `${summary.applied} rows applied so far, rerunning is safe)`
        const outcome = await post(opts, batch.map(({ item }) => item), doing)
        let before = 0
        if ('error' in outcome) {
          for (const { row } of batch) summary.rejected.push({ row, reason: outcome.error })
        } else {
          for (const result of outcome.results) {
            const entry = batch[result.index]
            if (entry === undefined) continue
            if (!result.ok) summary.rejected.push({ row: entry.row, reason: `${result.error?.status ?? ''}: ${result.error?.detail ?? ''}` })
            // A replayed batch is an earlier run's answer: its applied rows were applied then.
            else if (result.replayed === true || outcome.replayed) before++
            else summary.applied++
          }
        }
        summary.appliedBefore += before
        sent += batch.length
        if (bar !== undefined) bar.update(sent, { rejected: summary.rejected.length })
        else {
          opts.log(`batch ${index + 1}/${batches.length}: ${sent}/${file.valid.length} rows sent, ${summary.applied} applied` +
            (before > 0 ? ` (${before} of this batch had been applied before)` : ''))
        }
      }
    } catch (error) {
      // Stopped part way (the server went away): what was refused so far is still worth its report.
      if (summary.rejected.length > 0) writeReport(report, file, [...summary.rejected].sort((a, b) => a.row.line - b.row.line))
      throw error
    } finally {
      bar?.stop()
    }
  }
  finish()
  return summary
}

export { Fatal }
