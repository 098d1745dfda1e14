/**
 * The scenarios of issue 5, run against one server. Read scenarios run before write ones,
 * so the lists and the deep cursor see the database as generated.
 */
import { copyFileSync, constants, rmSync } from 'node:fs'
import Database from 'better-sqlite3'
import { markerPath } from '../src/db/location.js'
import { encodeCursor } from '../src/http/pagination.js'
import { prng, speakerName, type Prng } from './corpus.js'
import { claimInput, databaseBytes, type Dataset } from './generate.js'
import { measure, type Figures } from './load.js'
import type { Row } from './report.js'

/** The list walked to a deep page: "unverified" is the only status with ~70% of claims, so deep enough. */
const DEEP_STATUS = 'unverified'
const DEEP_SORT = '-claimedAt'

export interface RunCopy {
  path: string
  /** Every live claim id, to pick random ones from. */
  ids: string[]
  /** The texts of MATCH_SAMPLE random live claims: the statements the match scenario restates. */
  texts: string[]
  deep: { depth: number, cursor: string, firstId: string }
  /** The database's size on disk before the run writes (SQLite: the file and its WAL; PostgreSQL: pg_database_size). */
  bytes: number
  remove: () => void
}

/**
 * A scratch copy of the cached database (the write scenarios add reviews; the cache stays
 * as generated, so every run measures the same data), with what the scenarios need from it.
 */
export function copyForRun (dataset: Dataset, claims: number): RunCopy {
  const path = dataset.path.replace(/\.db$/, '.run.db')
  const remove = () => { for (const file of [path, `${path}-wal`, `${path}-shm`, markerPath(path)]) rmSync(file, { force: true }) }
  remove()
  // A reflink where the filesystem can (instant), else a plain copy.
  copyFileSync(dataset.path, path, constants.COPYFILE_FICLONE)
  const sqlite = new Database(path, { fileMustExist: true })
  try {
    const ids = sqlite.prepare('SELECT id FROM claims WHERE deleted_at IS NULL').pluck().all() as string[]
    const texts = sqlite.prepare('SELECT text FROM claims WHERE id IN (SELECT value FROM json_each(?))').pluck()
      .all(JSON.stringify(matchSample(ids))) as string[]
    const listed = sqlite.prepare('SELECT count(*) FROM claims WHERE deleted_at IS NULL AND status = ?').pluck().get(DEEP_STATUS) as number
    // 500,000 at 1M claims, half the claims below that, and never past the list's end.
    const depth = Math.min(500_000, Math.floor(claims / 2), listed - 1)
    // The (depth)th row of the list is the last one a client has seen after `depth` rows; its
    // sort key is the cursor, and the page after it must start with row depth+1. The route
    // checks that below, so a change to the cursor format falls back to walking it.
    const rows = sqlite.prepare(`SELECT claimed_at AS claimedAt, id FROM claims WHERE deleted_at IS NULL AND status = ?
      ORDER BY claimed_at DESC, id DESC LIMIT 2 OFFSET ?`).all(DEEP_STATUS, depth - 1) as Array<{ claimedAt: string, id: string }>
    const [last, next] = rows
    if (last === undefined || next === undefined || depth < 1) throw new Error(`too few ${DEEP_STATUS} claims for a deep page`)
    return { path, ids, texts, deep: { depth, cursor: encodeCursor(DEEP_SORT, [last.claimedAt, last.id]), firstId: next.id }, bytes: databaseBytes(dataset.path), remove }
  } finally {
    sqlite.close()
  }
}

export interface Target {
  url: string
  headers: Record<string, string>
  duration: number
  connections: number
  warmup: number
  /** Bytes written to storage so far (see RunningServer.writtenBytes; PostgreSQL: its WAL bytes). */
  written?: (() => Promise<number | undefined>) | undefined
}

/** Bytes written per operation during a measured run: `ops` operations (requests, or reviews in bulk). */
const perOp = (figures: Figures, ops: number) => (figures.counted === undefined || ops === 0 ? undefined : figures.counted / ops)

async function getJson (target: Target, path: string): Promise<{ status: number, body: any }> {
  const response = await fetch(target.url + path, { headers: target.headers })
  const text = await response.text()
  let body: unknown = text
  try { body = JSON.parse(text) } catch {}
  return { status: response.status, body }
}

/**
 * A cursor `depth` rows into the list: the one built from the database if the API takes it
 * and answers with the expected row, else found by walking the list 200 rows at a time.
 */
async function deepCursor (target: Target, copy: RunCopy, log: (line: string) => void): Promise<string> {
  const base = `/v1/claims?status=${DEEP_STATUS}&sort=${DEEP_SORT}`
  const probe = await getJson(target, `${base}&limit=1&cursor=${copy.deep.cursor}`)
  if (probe.status === 200 && probe.body?.items?.[0]?.id === copy.deep.firstId) return copy.deep.cursor
  log(`  the built cursor was not accepted (${probe.status}); walking ${copy.deep.depth.toLocaleString('en')} rows instead`)
  let cursor: string | undefined
  for (let seen = 0; seen < copy.deep.depth;) {
    const limit = Math.min(200, copy.deep.depth - seen)
    const page = await getJson(target, `${base}&limit=${limit}${cursor === undefined ? '' : `&cursor=${cursor}`}`)
    if (page.status !== 200 || page.body.nextCursor == null) throw new Error(`walking the list failed at row ${seen}: ${page.status}`)
    seen += limit
    cursor = page.body.nextCursor as string
  }
  return cursor as string
}

/** Measures a GET after one probe request: 400 on a `q` search means "not implemented yet" (n/a). */
async function getScenario (target: Target, row: Omit<Row, 'figures'>, path: string, optional = false): Promise<Row> {
  const probe = await getJson(target, path)
  if (probe.status !== 200) {
    if (optional && probe.status === 400) return { ...row, note: `${row.note ?? ''} (400 from the server: not supported yet)`.trim() }
    throw new Error(`GET ${path} answered ${probe.status}: ${JSON.stringify(probe.body).slice(0, 300)}`)
  }
  return { ...row, figures: await measure({ ...target, path }, target.warmup) }
}

function randomIdPicker (ids: string[], random: Prng) {
  return () => ids[random.int(ids.length)] as string
}

/** A list page of 50 (a filter and the default sort): its bytes are the page baseline's. */
export const LIST_PAGE_PATH = '/v1/claims?status=disputed&limit=50'

/** The list and search scenarios; run on both the big and the small database. */
export async function listAndSearch (target: Target, copy: RunCopy, dataset: Dataset, prefix: string, log: (line: string) => void): Promise<Row[]> {
  const { one, two } = dataset.meta.search
  const rows: Row[] = []
  log('  list status=disputed, page 1')
  rows.push(await getScenario(target, { key: `${prefix}listStatusPage1`, label: 'list status=disputed, page 1' }, LIST_PAGE_PATH))
  log(`  list status=${DEEP_STATUS}, page 1`)
  rows.push(await getScenario(target, { key: `${prefix}listStatusDeepPage1`, label: `list status=${DEEP_STATUS}, page 1` },
    `/v1/claims?status=${DEEP_STATUS}&limit=50`))
  const cursor = await deepCursor(target, copy, log)
  log(`  list status=${DEEP_STATUS}, at depth ${copy.deep.depth.toLocaleString('en')}`)
  rows.push(await getScenario(target, { key: `${prefix}listStatusDeep`, label: `list status=${DEEP_STATUS}, at depth ${copy.deep.depth.toLocaleString('en')}` },
    `/v1/claims?status=${DEEP_STATUS}&limit=50&cursor=${cursor}`))
  for (const [key, search] of [['searchOneWord', one], ['searchTwoWords', two]] as const) {
    const q = search.words.join(' ')
    log(`  q="${q}"`)
    rows.push(await getScenario(target, {
      key: `${prefix}${key}`,
      label: `q="${q}" (${search.matches.toLocaleString('en')} hits)`
    }, `/v1/claims?q=${encodeURIComponent(q)}`, true))
  }
  const q = one.words.join(' ')
  log(`  q="${q}", newest first`)
  rows.push(await getScenario(target, { key: `${prefix}searchOneWordByDate`, label: `q="${q}" sort=-claimedAt` },
    `/v1/claims?q=${encodeURIComponent(q)}&sort=-claimedAt`, true))
  log('  match')
  rows.push(await match(target, copy, `${prefix}match`))
  return rows
}

/** How many stored claims the match scenario restates, one at random per request. */
export const MATCH_SAMPLE = 2_000

/** The ids of the claims whose texts the match scenario restates (the same ones on either engine). */
export function matchSample (ids: string[]): string[] {
  const pick = prng(5)
  return Array.from({ length: Math.min(MATCH_SAMPLE, ids.length) }, () => ids[pick.int(ids.length)] as string)
}

/** A claim's text as a reporter might type it again: without its third word, in lower case. */
export const restated = (text: string) => text.split(' ').filter((_, i) => i !== 2).join(' ').toLowerCase()

/** POST /v1/claims/match with a stored claim restated (a random one per request): "has this been checked before?". */
export async function match (target: Target, copy: RunCopy, key: string): Promise<Row> {
  const random = prng(6)
  const body = () => JSON.stringify({ text: restated(copy.texts[random.int(copy.texts.length)] as string), limit: 10 })
  const request = { ...target, method: 'POST' as const, headers: { ...target.headers, 'content-type': 'application/json' }, path: '/v1/claims/match' }
  const probe = await fetch(target.url + request.path, { method: 'POST', headers: request.headers, body: JSON.stringify({ text: copy.texts[0] }) })
  const answer = await probe.json() as { items?: Array<{ claim: { text: string } }> }
  if (probe.status !== 200) throw new Error(`POST /v1/claims/match answered ${probe.status}: ${JSON.stringify(answer).slice(0, 300)}`)
  const figures = await measure({ ...request, body: body(), setupRequest: (r) => ({ ...r, body: body() }) }, target.warmup)
  return { key, label: 'POST /v1/claims/match (a stored claim restated)', figures }
}

export async function getById (target: Target, copy: RunCopy): Promise<Row> {
  const pick = randomIdPicker(copy.ids, prng(1))
  const first = await getJson(target, `/v1/claims/${copy.ids[0]}`)
  if (first.status !== 200) throw new Error(`GET /v1/claims/:id answered ${first.status}`)
  const figures = await measure({ ...target, path: `/v1/claims/${copy.ids[0]}`, setupRequest: (r) => ({ ...r, path: `/v1/claims/${pick()}` }) }, target.warmup)
  return { key: 'getById', label: 'GET /v1/claims/:id (random id)', figures }
}

const REVIEW = JSON.stringify({ verdict: 'unverified', note: 'bench' })

export async function postReview (target: Target, copy: RunCopy): Promise<Row> {
  const pick = randomIdPicker(copy.ids, prng(2))
  const figures = await measure({
    ...target,
    method: 'POST',
    headers: { ...target.headers, 'content-type': 'application/json' },
    path: `/v1/claims/${copy.ids[0]}/reviews`,
    body: REVIEW,
    setupRequest: (r) => ({ ...r, path: `/v1/claims/${pick()}/reviews` }),
    counter: target.written
  }, target.warmup)
  return { key: 'postReview', label: 'POST /v1/claims/:id/reviews (random)', figures, writtenPerOp: perOp(figures, figures.ok) }
}

export const IMPORT_CLAIMS = 50_000

/**
 * One NDJSON import of IMPORT_CLAIMS new claims (generated as the dataset's are, speakers and
 * sources named inline: found, or made once), streamed in one request; figures in claims/s.
 * Run last: it adds claims.
 */
export async function importNdjson (target: Target, claims = IMPORT_CLAIMS): Promise<Row> {
  const random = prng(4)
  const seen = new Set<number>()
  const lines = Array.from({ length: claims }, (_, i) => {
    const { speakerId: _speaker, sourceId: _source, ...claim } = claimInput(random, '', '', seen)
    return JSON.stringify({
      ...claim,
      text: `${claim.text} (import ${i})`,
      speaker: { name: speakerName(i % 200).name },
      source: { title: `Imported archive ${i % 50}`, publisher: 'Bench archive', kind: 'article' }
    }) + '\n'
  })
  const body = lines.join('')
  const before = await target.written?.()
  const started = performance.now()
  const response = await fetch(`${target.url}/v1/claims/import`, {
    method: 'POST',
    headers: { ...target.headers, 'content-type': 'application/x-ndjson' },
    body
  })
  const answer = await response.json() as { created?: number, failed?: number, duplicates?: number }
  const seconds = (performance.now() - started) / 1000
  const after = await target.written?.()
  if (response.status !== 200) throw new Error(`the NDJSON import answered ${response.status}: ${JSON.stringify(answer).slice(0, 300)}`)
  const created = answer.created ?? 0
  const counted = before === undefined || after === undefined ? undefined : after - before
  return {
    key: 'importNdjson',
    label: `NDJSON import, ${claims.toLocaleString('en')} claims, ${(Buffer.byteLength(body) / 1024 / 1024).toFixed(0)} MiB (claims/s)`,
    figures: { reqPerSec: created / seconds, p50Ms: seconds * 1000, p99Ms: seconds * 1000, ok: created, failed: claims - created, seconds, latencySeconds: seconds, counted },
    writtenPerOp: counted === undefined || created === 0 ? undefined : counted / created
  }
}

export const BULK_ITEMS = 1000

/**
 * Bulk requests of 1000 distinct random claims each, one after another; figures in reviews/s.
 * Ten of them (issue 5) at the default duration; a quick run (--duration under 5) sends one
 * per second of duration, since ten take as long as the store needs for 10,000 reviews.
 */
export async function bulkReview (target: Target, copy: RunCopy): Promise<Row> {
  const random = prng(3)
  const count = target.duration >= 5 ? 10 : Math.max(1, Math.floor(target.duration))
  const bodies = Array.from({ length: count }, () => {
    const chosen = new Set<string>()
    while (chosen.size < Math.min(BULK_ITEMS, copy.ids.length)) chosen.add(copy.ids[random.int(copy.ids.length)] as string)
    return JSON.stringify({ atomic: true, items: [...chosen].map((claimId) => ({ claimId, verdict: 'unverified', note: 'bench' })) })
  })
  let sent = 0
  const requests: Figures = await measure({
    ...target,
    connections: 1,
    amount: count,
    timeout: 120,
    method: 'POST',
    headers: { ...target.headers, 'content-type': 'application/json' },
    path: '/v1/reviews/bulk',
    body: bodies[0] as string,
    setupRequest: (r) => ({ ...r, body: bodies[sent++ % bodies.length] as string }),
    counter: target.written
  }, 0)
  const items = bodies.length > 0 ? JSON.parse(bodies[0] as string).items.length as number : 0
  return {
    key: 'bulkReview',
    label: `bulk review ${count}×${items.toLocaleString('en')} (reviews/s)`,
    // req/s becomes reviews/s over the time spent waiting for the answers (one connection, so
    // one request at a time): the gaps autocannon leaves between requests (about 100 ms each
    // here, against 140 ms per request) are not the service's time. The latencies stay per bulk request.
    figures: { ...requests, reqPerSec: (requests.ok * items) / requests.latencySeconds },
    writtenPerOp: perOp(requests, requests.ok * items)
  }
}
