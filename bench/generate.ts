/**
 * Builds (or reuses) a benchmark database of N claims through the services' own write path,
 * so every speaker, source, claim and review carries its real audit event and hash chain,
 * exactly as the API or an import would have written it. Nothing is inserted behind the
 * services' back: a faster bypass would benchmark a database the service could never produce.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { systemContext } from '../src/core/context.js'
import type { ClaimCreate } from '../src/modules/claims/schemas.js'
import { newId } from '../src/db/ids.js'
import { markerPath } from '../src/db/location.js'
import { migrationsFolder } from '../src/db/open.js'
import { openSqliteEngine } from '../src/db/sqlite/engine.js'
import type { ReviewCreate } from '../src/modules/reviews/schemas.js'
import { createServices, type Services, type TxServices } from '../src/modules/container.js'
import {
  capitalize, prng, PUBLISHERS, queryWords, QUERY_RANKS, randomDate, sentence, SOURCE_KINDS, SPEAKER_KINDS,
  speakerName, TOPICS, type Prng
} from './corpus.js'

/** Bump whenever the generated content changes, so cached databases are rebuilt. */
export const GENERATOR_VERSION = 1

const SEED = 0x5EED
/** Rows per transaction: large enough that commits are cheap, small enough to report progress. */
const BATCH = 5000
export const REVIEWED_SHARE = 0.3

export const dataDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '.data')

/** What the run needs to know about a built database, stored beside it as JSON. */
export interface DatasetMeta {
  generatorVersion: number
  claims: number
  speakers: number
  sources: number
  reviews: number
  /** Claims that an FTS AND-query of these words matches (text, quote or context). */
  search: { one: { words: string[], matches: number }, two: { words: string[], matches: number } }
  buildSeconds: number
}

export interface Dataset { path: string, meta: DatasetMeta, reused: boolean }

/** 10,000 speakers and 50,000 sources at 1M claims, scaled down (never below 10) for small runs. */
export function scale (claims: number) {
  return { speakers: Math.max(10, Math.round(claims / 100)), sources: Math.max(10, Math.round(claims / 20)) }
}

/**
 * A database built under other migrations is not the schema being measured, and a
 * migration edited in place would never be re-applied to it; so the cache key includes them.
 */
function schemaHash (): string {
  const hash = createHash('sha256')
  for (const file of readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).sort()) {
    hash.update(file).update(readFileSync(join(migrationsFolder, file)))
  }
  return hash.digest('hex').slice(0, 10)
}

export function datasetPath (claims: number): string {
  return join(dataDir, `claims-${claims}-g${GENERATOR_VERSION}-s${schemaHash()}.db`)
}

/** The cached database for N claims if one was completed, else a freshly built one. */
export async function ensureDataset (claims: number, log: (line: string) => void): Promise<Dataset> {
  const path = datasetPath(claims)
  const metaPath = path + '.json'
  if (existsSync(path) && existsSync(metaPath)) {
    return { path, meta: JSON.parse(readFileSync(metaPath, 'utf8')) as DatasetMeta, reused: true }
  }
  // Built under a temporary name and renamed at the end: an interrupted build is never reused.
  const building = path + '.building'
  for (const suffix of ['', '-wal', '-shm']) rmSync(building + suffix, { force: true })
  rmSync(markerPath(building), { force: true })
  const meta = await build(building, claims, log)
  renameSync(building, path)
  writeFileSync(metaPath, JSON.stringify(meta, null, 2) + '\n')
  return { path, meta, reused: false }
}

/** Deterministic creation times: one event every 30 s from 2024-01-01, whatever the wall clock. */
function clock () {
  let now = Date.UTC(2024, 0, 1)
  return () => new Date(now += 30_000).toISOString()
}

async function build (path: string, claimCount: number, log: (line: string) => void): Promise<DatasetMeta> {
  const started = performance.now()
  const { speakers: speakerCount, sources: sourceCount } = scale(claimCount)
  const engine = openSqliteEngine(path)
  const { database } = engine
  // Build-only settings; the server runs with production settings. A 1 GB page cache: at 1M
  // claims the indexes being appended to at random places (claimed_at, status, speaker, FTS)
  // outgrow SQLite's 2 MB default. No fsync and rarer checkpoints: a build that dies is
  // thrown away anyway (it is renamed into place only when complete).
  database.sqlite.pragma('cache_size = -1048576')
  database.sqlite.pragma('synchronous = OFF')
  database.sqlite.pragma('wal_autocheckpoint = 100000')
  const services = createServices(engine)
  const ctx = systemContext('bench', newId())
  const random = prng(SEED)
  const tick = clock()
  const progress = progressReporter(log)

  const speakerIds = await inBatches(services, speakerCount, async (tx, i) =>
    (await tx.speakers.findOrCreate(ctx, speakerInput(random, i), tick())).id, progress('speakers', speakerCount))
  const sourceIds = await inBatches(services, sourceCount, async (tx, i) =>
    (await tx.sources.findOrCreate(ctx, sourceInput(random, i), tick())).id, progress('sources', sourceCount))

  // Claims and their reviews are written batch by batch, reviews just after their claims, so
  // the audit log's times stay in order and reviewed claims are spread over the whole archive.
  const matches = { one: 0, two: 0 }
  let reviews = 0
  // The claims rate includes their reviews' time (30% of claims get one): it is what the build costs.
  const claimProgress = progress('claims', claimCount)
  for (let start = 0; start < claimCount; start += BATCH) {
    const end = Math.min(claimCount, start + BATCH)
    await services.transaction(async (tx) => {
      const ids: string[] = []
      for (let i = start; i < end; i++) {
        const seen = new Set<number>()
        const input = claimInput(random, random.pick(speakerIds), random.pick(sourceIds), seen)
        if (QUERY_RANKS.one.every((k) => seen.has(k))) matches.one++
        if (QUERY_RANKS.two.every((k) => seen.has(k))) matches.two++
        ids.push((await tx.claims.create(ctx, input, tick())).id)
      }
      for (const id of ids) {
        if (!random.chance(REVIEWED_SHARE)) continue
        await tx.reviews.applyWithin(ctx, id, reviewInput(random), undefined, tick())
        reviews++
      }
    })
    claimProgress(end)
  }
  await engine.close()
  return {
    generatorVersion: GENERATOR_VERSION,
    claims: claimCount,
    speakers: speakerCount,
    sources: sourceCount,
    reviews,
    search: { one: { words: queryWords.one, matches: matches.one }, two: { words: queryWords.two, matches: matches.two } },
    buildSeconds: Math.round((performance.now() - started) / 100) / 10
  }
}

/** Calls `make(i)` for i in 0..count-1, BATCH at a time, each batch one transaction. */
async function inBatches<T> (services: Services, count: number, make: (tx: TxServices, i: number) => Promise<T>, done: (n: number) => void): Promise<T[]> {
  const out: T[] = []
  for (let start = 0; start < count; start += BATCH) {
    const end = Math.min(count, start + BATCH)
    await services.transaction(async (tx) => { for (let i = start; i < end; i++) out.push(await make(tx, i)) })
    done(end)
  }
  return out
}

function speakerInput (random: Prng, i: number) {
  const { name, handle } = speakerName(i)
  return {
    name,
    kind: random.pick(SPEAKER_KINDS),
    description: random.chance(0.5) ? `Spokesperson no. ${i}` : null,
    // Some aliases, so that FTS over aliases has something to index.
    aliases: random.chance(0.2) ? [handle] : []
  }
}

function sourceInput (random: Prng, i: number) {
  const publisher = random.pick(PUBLISHERS)
  const title = capitalize(sentence(random, random.between(4, 9), new Set()).slice(0, -1))
  return {
    title,
    publisher,
    url: random.chance(0.9) ? `https://${publisher.toLowerCase().replace(/\s+/g, '-')}.example/${i}` : null,
    kind: random.pick(SOURCE_KINDS),
    publishedAt: random.chance(0.8) ? randomDate(random) : null
  }
}

export function claimInput (random: Prng, speakerId: string, sourceId: string, seen: Set<number>): ClaimCreate {
  const topics = new Set<string>()
  for (let t = random.int(4); t > 0; t--) topics.add(random.pick(TOPICS))
  return {
    text: sentence(random, random.between(8, 30), seen),
    quote: random.chance(0.3) ? sentence(random, random.between(6, 15), seen) : null,
    speakerId,
    sourceId,
    claimedAt: randomDate(random),
    context: random.chance(0.5) ? sentence(random, random.between(10, 25), seen) : null,
    topics: [...topics],
    language: random.chance(0.9) ? 'en' : 'hy'
  }
}

/** Verdicts of the reviewed 30%: corroborated and disputed carry the evidence they need. */
function reviewInput (random: Prng): ReviewCreate {
  const roll = random.next()
  const verdict = roll < 0.4 ? 'disputed' : roll < 0.8 ? 'corroborated' : 'unverified'
  const evidence = verdict === 'unverified'
    ? []
    : [{ url: `https://evidence.example/${random.int(1e6)}`, stance: verdict === 'disputed' ? 'refutes' as const : 'supports' as const }]
  return { verdict, note: `Checked against ${evidence.length} source(s).`, evidence }
}

/** Per-phase progress (rows/s and ETA), at most every 2 s and at the end of each phase. */
function progressReporter (log: (line: string) => void) {
  return (phase: string, total: number) => {
    const started = performance.now()
    let shown = 0
    return (done: number) => {
      const now = performance.now()
      if (done < total && now - shown < 2000) return
      shown = now
      const seconds = (now - started) / 1000
      const rate = done / Math.max(seconds, 1e-3)
      const eta = done < total ? `, ~${Math.ceil((total - done) / rate)} s left` : ` in ${seconds.toFixed(1)} s`
      log(`  ${phase}: ${done.toLocaleString('en')}/${total.toLocaleString('en')} (${Math.round(rate).toLocaleString('en')} ${phase}/s${eta})`)
    }
  }
}

/** Size of the database file (and its WAL, if any is left). */
export function databaseBytes (path: string): number {
  return [path, path + '-wal'].reduce((sum, p) => sum + (existsSync(p) ? statSync(p).size : 0), 0)
}
