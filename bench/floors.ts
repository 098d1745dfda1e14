/**
 * Floors: what SQLite alone costs for the work behind three targets, with no HTTP, no
 * Fastify and no store code: raw prepared statements on the run's scratch copy, in this
 * process. Where a target asks for a ratio the floor already breaks, no amount of work in
 * the service can meet it with this schema; the run prints both, so the claim is checkable.
 *
 *   GET by id          the claim + speaker + source join by primary key
 *   FTS                the BM25-ranked top 51 of the bench's `q` words (what relevance order needs)
 *   review             the statements of one review (read, update claim, insert review,
 *                      read the chain head, append the audit event), each review committed
 *                      on its own (as POST does) or 1000 to a commit (as bulk does)
 *   import             a new claim's row (its eight indexes, the duplicate index, the FTS and
 *                      status-count triggers), its topic row and its audit event, 1000 to a commit
 */
import { createHash, randomUUID } from 'node:crypto'
import Database from 'better-sqlite3'
import { ftsMatch } from '../src/modules/claims/lists.js'

export interface Floors {
  getByIdUs: number
  search: Array<{ words: string[], hits: number, us: number }>
  reviewOwnCommitUs: number
  reviewBulkUs: number
  importUs: number
}

const REVIEWS = 2000
const BULK = 1000
const IMPORTS = 5000

function timeUs (n: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 50); i++) fn(i) // warm the statement and the page cache
  const start = performance.now()
  for (let i = 0; i < n; i++) fn(i)
  return ((performance.now() - start) * 1000) / n
}

/** Measures on `path` (a scratch copy: the review part writes to it) with production pragmas. */
export function measureFloors (path: string, ids: string[], searches: string[][]): Floors {
  const db = new Database(path, { fileMustExist: true })
  try {
    // As openDatabase() sets them for the server.
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.pragma('temp_store = MEMORY')
    const pick = (i: number) => ids[(i * 7919) % ids.length] as string

    const byId = db.prepare(`SELECT c.*, s.name, o.title, o.url FROM claims c JOIN speakers s ON s.id = c.speaker_id
      JOIN sources o ON o.id = c.source_id WHERE c.id = ?`).raw()
    const getByIdUs = timeUs(20_000, (i) => byId.get(pick(i)))

    const ranked = db.prepare(`SELECT rowid, bm25(claims_fts, 10.0, 5.0, 1.0, 3.0) AS rank FROM claims_fts
      WHERE claims_fts MATCH ? ORDER BY rank LIMIT 51`).raw()
    const hits = db.prepare('SELECT count(*) FROM claims_fts WHERE claims_fts MATCH ?').pluck()
    const search = searches.map((words) => {
      const match = ftsMatch(words.join(' ')) as string
      return { words, hits: hits.get(match) as number, us: timeUs(50, () => ranked.all(match)) }
    })

    const read = db.prepare('SELECT version, status FROM claims WHERE id = ?')
    const update = db.prepare(`UPDATE claims SET status = ?, review_count = review_count + 1, last_reviewed_at = ?,
      updated_at = ?, version = version + 1 WHERE id = ?`)
    const insert = db.prepare(`INSERT INTO reviews (id, claim_id, verdict, previous_status, note, evidence, reviewer_id,
      reviewer_name, created_at) VALUES (?, ?, 'unverified', ?, 'floor', '[]', 'system:floor', 'floor', ?)`)
    const head = db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')
    const append = db.prepare(`INSERT INTO audit_events (seq, at, actor_id, actor_name, actor_role, action, entity_type,
      entity_id, changes, request_id, prev_hash, hash) VALUES (?, ?, 'system:floor', 'floor', 'admin', 'claim.reviewed',
      'claim', ?, '{}', 'floor', ?, ?)`)
    const review = (i: number) => {
      const id = pick(i + 1)
      const at = new Date().toISOString()
      const before = read.get(id) as { status: string }
      update.run('unverified', at, at, id)
      insert.run(randomUUID(), id, before.status, at)
      const last = head.get() as { seq: number, hash: string }
      append.run(last.seq + 1, at, id, last.hash, createHash('sha256').update(last.hash + at + id).digest('hex'))
    }
    const own = db.transaction((i: number) => review(i))
    const reviewOwnCommitUs = timeUs(REVIEWS, (i) => own.immediate(i))
    const bulk = db.transaction((from: number) => { for (let i = from; i < from + BULK; i++) review(i) })
    const reviewBulkUs = timeUs(REVIEWS / BULK, (i) => bulk.immediate(REVIEWS + i * BULK)) / BULK

    const speakerIds = db.prepare('SELECT id FROM speakers LIMIT 200').pluck().all() as string[]
    const sourceIds = db.prepare('SELECT id FROM sources LIMIT 50').pluck().all() as string[]
    const insertClaim = db.prepare(`INSERT INTO claims (id, text, text_key, quote, speaker_id, source_id, claimed_at, context,
      topics, language, status, created_at, updated_at) VALUES (?, ?, ?, NULL, ?, ?, ?, NULL, '["floor"]', 'en', 'unverified', ?, ?)`)
    const insertTopic = db.prepare("INSERT INTO claim_topics (claim_id, topic) VALUES (?, 'floor')")
    const created = (i: number) => {
      const id = randomUUID()
      const at = new Date().toISOString()
      const text = `Floor claim ${i}: ${searches.flat().join(' ')} said on day ${i % 365}`
      const claimedAt = new Date(Date.UTC(2000, 0, 1 + (i * 7919) % 9000)).toISOString().slice(0, 10)
      insertClaim.run(id, text, text.toLowerCase(), speakerIds[i % speakerIds.length], sourceIds[i % sourceIds.length], claimedAt, at, at)
      insertTopic.run(id)
      const last = head.get() as { seq: number, hash: string }
      const changes = JSON.stringify({ text: { from: null, to: text }, claimedAt: { from: null, to: claimedAt } })
      append.run(last.seq + 1, at, id, last.hash, createHash('sha256').update(last.hash + changes).digest('hex'))
    }
    // A running count, not the timer's index: the warm-up calls repeat the first indexes.
    let made = 0
    const importMany = db.transaction(() => { for (let i = 0; i < BULK; i++) created(made++) })
    const importUs = timeUs(IMPORTS / BULK, () => importMany.immediate()) / BULK
    return { getByIdUs, search, reviewOwnCommitUs, reviewBulkUs, importUs }
  } finally {
    db.close()
  }
}

/**
 * The floors beside the measured figures, as the most each target could reach. A request
 * costs the server at least the bare-Fastify baseline's time plus SQLite's; under the same
 * concurrency a request's latency scales with the server time it needs, so a search that
 * needs N× a GET's server time has about N× its p99; and bulk can never review faster than
 * SQLite alone writes.
 */
export function printFloors (floors: Floors, measured: { baselinePerSec?: number | undefined, getByIdPerSec?: number | undefined, postReviewPerSec?: number | undefined, importPerSec?: number | undefined }, out: (line: string) => void) {
  const us = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} µs`
  const x = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)}×`
  const perSec = (n: number) => Math.round(n).toLocaleString('en')
  const bareUs = measured.baselinePerSec === undefined ? undefined : 1e6 / measured.baselinePerSec
  const getUs = measured.getByIdPerSec === undefined ? undefined : 1e6 / measured.getByIdPerSec
  out('floors (SQLite alone, same database and pragmas as the server, WAL checkpoints included: raw prepared statements,')
  out('no HTTP, no JS layers):')
  out(`  GET by id: ${us(floors.getByIdUs)} of SQLite` + (bareUs === undefined
    ? ''
    : `; with the bare baseline's ${us(bareUs)} a request, a service that did nothing else would reach ` +
      `${x(bareUs / (bareUs + floors.getByIdUs))} baseline (measured: ${getUs === undefined ? 'n/a' : x(bareUs / getUs)})`))
  for (const s of floors.search) {
    out(`  q="${s.words.join(' ')}" (${s.hits.toLocaleString('en')} hits): ${us(s.us)} of SQLite to rank them (BM25, top 51)` +
      (getUs === undefined ? '' : ` = ${x(s.us / getUs)} a whole GET request's server time, before any HTTP or JSON`))
  }
  out(`  a review committed on its own: ${us(floors.reviewOwnCommitUs)} → POST review can never exceed ` +
    `${perSec(1e6 / floors.reviewOwnCommitUs)} req/s` +
    (measured.baselinePerSec === undefined ? '' : ` = ${x(1e6 / floors.reviewOwnCommitUs / measured.baselinePerSec)} baseline`))
  const bulkMax = 1e6 / floors.reviewBulkUs
  out(`  a review among ${BULK} in one commit: ${us(floors.reviewBulkUs)} → bulk can never exceed ${perSec(bulkMax)} reviews/s` +
    (measured.postReviewPerSec === undefined ? '' : ` = ${x(bulkMax / measured.postReviewPerSec)} the POST review req/s measured`))
  out(`  a new claim among ${BULK} in one commit (row, indexes, FTS, topic, audit event): ${us(floors.importUs)} → ` +
    `an import can never exceed ${perSec(1e6 / floors.importUs)} claims/s` +
    (measured.importPerSec === undefined ? '' : ` (measured: ${perSec(measured.importPerSec)})`))
}
