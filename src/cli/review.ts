/**
 * `claimledger review FILE`: applies a file of verdicts through `POST /v1/reviews/bulk` in
 * batches of up to 1000. Each batch's Idempotency-Key is derived from the file's content
 * hash and the batch's index, so rerunning after a crash, a kill or a timeout replays the
 * batches that were applied instead of applying them twice. 429 and 5xx (and network
 * errors) are retried with exponential backoff, honouring Retry-After.
 */
import { writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { SingleBar, Presets } from 'cli-progress'
import { stringify } from 'csv-stringify/sync'
import { Fatal } from './fatal.js'
import { readReviewFile, type Rejected, type ReviewItem } from './review-file.js'

export interface ReviewOptions {
  file: string
  url: string
  key: string
  batchSize: number
  report: string
  dryRun: boolean
  retries: number
  /** Base backoff in ms (doubled per attempt, with jitter). */
  backoff: number
  progress: boolean
  log: (line: string) => void
}

export interface ReviewSummary { rows: number, applied: number, replayedBatches: number, rejected: Rejected[] }

interface BulkResult { index: number, ok: boolean, error?: { status: number, detail: string } }

async function post (opts: ReviewOptions, items: ReviewItem[], key: string): Promise<{ replayed: boolean, results: BulkResult[] } | { error: string }> {
  for (let attempt = 0; ; attempt++) {
    let retryAfter: number | undefined
    let why: string
    try {
      const res = await fetch(new URL('/v1/reviews/bulk', opts.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.key}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ atomic: false, items })
      })
      const body = await res.json().catch(() => undefined) as { results?: BulkResult[], detail?: string } | undefined
      if (res.ok) return { replayed: res.headers.get('idempotent-replayed') === 'true', results: body?.results ?? [] }
      if (res.status === 401 || res.status === 403) throw new Fatal(`${res.status}: ${body?.detail ?? res.statusText}`)
      if (res.status !== 429 && res.status < 500) return { error: `${res.status}: ${body?.detail ?? res.statusText}` }
      why = `HTTP ${res.status}`
      const header = Number(res.headers.get('retry-after'))
      if (Number.isFinite(header) && header > 0) retryAfter = header * 1000
    } catch (error) {
      if (error instanceof Fatal) throw error
      why = (error as Error).message
    }
    if (attempt >= opts.retries) throw new Fatal(`giving up after ${attempt + 1} attempts: ${why}`)
    const wait = retryAfter ?? opts.backoff * 2 ** attempt * (0.5 + Math.random())
    opts.log(`  retrying in ${Math.round(wait)} ms (${why})`)
    await sleep(wait)
  }
}

export async function runReview (opts: ReviewOptions): Promise<ReviewSummary> {
  const file = readReviewFile(opts.file)
  const summary: ReviewSummary = { rows: file.valid.length + file.rejected.length, applied: 0, replayedBatches: 0, rejected: [...file.rejected] }
  const batches: Array<typeof file.valid> = []
  for (let i = 0; i < file.valid.length; i += opts.batchSize) batches.push(file.valid.slice(i, i + opts.batchSize))

  if (!opts.dryRun) {
    const bar = opts.progress ? new SingleBar({ format: 'reviews [{bar}] {value}/{total} | {eta_formatted} left | {rejected} rejected' }, Presets.shades_classic) : undefined
    bar?.start(file.valid.length, 0, { rejected: summary.rejected.length })
    try {
      for (const [index, batch] of batches.entries()) {
        const key = `review-${file.hash.slice(0, 32)}-${opts.batchSize}-${index}`
        const outcome = await post(opts, batch.map((row) => row.item), key)
        if ('error' in outcome) {
          for (const row of batch) summary.rejected.push({ line: row.line, claimId: row.item.claimId, reason: outcome.error })
        } else {
          if (outcome.replayed) summary.replayedBatches++
          for (const result of outcome.results) {
            const row = batch[result.index]
            if (row === undefined) continue
            if (result.ok) summary.applied++
            else summary.rejected.push({ line: row.line, claimId: row.item.claimId, reason: `${result.error?.status ?? ''}: ${result.error?.detail ?? ''}` })
          }
        }
        const done = Math.min((index + 1) * opts.batchSize, file.valid.length)
        if (bar !== undefined) bar.update(done, { rejected: summary.rejected.length })
        else opts.log(`batch ${index + 1}/${batches.length}: ${done}/${file.valid.length} rows sent, ${summary.applied} applied${outcome && 'replayed' in outcome && outcome.replayed ? ' (replayed)' : ''}`)
      }
    } finally {
      bar?.stop()
    }
  }

  summary.rejected.sort((a, b) => a.line - b.line)
  if (summary.rejected.length > 0) {
    writeFileSync(opts.report, stringify(summary.rejected, { header: true, columns: ['line', 'claimId', 'reason'] }))
  }
  return summary
}

export { Fatal }
