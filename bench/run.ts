/**
 * `npm run bench`: build or reuse the benchmark databases, serve each from a child process,
 * load it over a real socket with autocannon beside a bare-Fastify baseline, and print one
 * table (see issue 5). Progress goes to stderr, the results to stdout.
 */
import { randomBytes } from 'node:crypto'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseOptions } from './args.js'
import { BASELINE_PAGE_PATH, BASELINE_PATH } from './baseline.js'
import { startServer } from './child.js'
import { databaseBytes, dataDir, ensureDataset, type Dataset } from './generate.js'
import { measure, type Figures } from './load.js'
import { printFindings } from './findings.js'
import { measureFloors, printFloors, type Floors } from './floors.js'
import { megabytes, printTable, writeJson, type Row } from './report.js'
import { postgresCopyForRun, postgresWalBytes } from './postgres.js'
import { bulkReview, copyForRun, getById, importNdjson, LIST_PAGE_PATH, listAndSearch, postReview, type RunCopy, type Target } from './scenarios.js'

const options = parseOptions(process.argv.slice(2))
const log = (line: string) => process.stderr.write(line + '\n')
const out = (line: string) => process.stdout.write(line + '\n')
const started = performance.now()
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`

// Fresh per run: the key exists only in the scratch copy of the database.
const adminKey = 'bench-' + randomBytes(24).toString('hex')
const target = (url: string, written?: Target['written']): Target => ({
  url,
  headers: { authorization: `Bearer ${adminKey}` },
  duration: options.duration,
  connections: options.connections,
  // A tenth of the measured time (1 s by default) to JIT the route and warm SQLite's cache; never counted.
  warmup: options.duration / 10,
  written
})

/**
 * What a write costs the disk: on SQLite, the bytes the server process dirtied (WAL appends
 * and checkpoints); on PostgreSQL, the WAL bytes the cluster generated (pg_stat_wal; its
 * checkpoints happen in its own processes and are not counted).
 */
const diskCounter = (server: { writtenBytes: () => number | undefined }): Target['written'] => options.engine === 'postgres'
  ? async () => await postgresWalBytes(options.databaseUrl as string)
  : async () => server.writtenBytes()

/** The scratch copy a server runs on; at 1M claims a plain copy of ~4 GB takes a few seconds, so it is timed. */
async function scratchCopy (of: Dataset, claims: number): Promise<RunCopy & { dispose?: () => Promise<void> }> {
  const start = performance.now()
  const copy = options.engine === 'postgres'
    ? await postgresCopyForRun(options.databaseUrl as string, of, claims, log)
    : copyForRun(of, claims)
  log(`  scratch copy and ${copy.ids.length.toLocaleString('en')} ids ready in ${((performance.now() - start) / 1000).toFixed(1)} s`)
  return copy
}

async function dataset (claims: number): Promise<Dataset> {
  log(`database of ${claims.toLocaleString('en')} claims:`)
  const built = await ensureDataset(claims, log)
  log(built.reused
    ? `  reusing ${built.path} (built in ${built.meta.buildSeconds} s)`
    : `  built in ${built.meta.buildSeconds} s: ${built.meta.reviews.toLocaleString('en')} reviews, ${megabytes(databaseBytes(built.path))}`)
  return built
}

log(`Claimledger bench: ${options.claims.toLocaleString('en')} claims, ${options.duration} s per scenario, ` +
  `${options.connections} connections`)
const big = await dataset(options.claims)
const small = options.smallClaims === options.claims ? big : await dataset(options.smallClaims)

// --profile: each server child writes a .cpuprofile when it exits (open it in Chrome DevTools).
const profileDir = join(dataDir, 'profiles')
const nodeArgs = options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []

const rows: Row[] = []
let baseline: Figures | undefined
let peakRss: number | undefined
let importPeakRss: number | undefined
let baselineRss: number | undefined
let floors: Floors | undefined

// The big database: every scenario, the baseline measured in between on a claim's JSON.
let bigBytes = 0
{
  const copy = await scratchCopy(big, options.claims)
  bigBytes = copy.bytes
  const server = await startServer(['app', copy.path, adminKey], nodeArgs)
  try {
    const t = target(server.url, diskCounter(server))
    log(`[${elapsed()}] server pid ${server.pid} on ${server.url}`)

    const claim = await (await fetch(`${server.url}/v1/claims/${copy.ids[0]}`, { headers: t.headers })).text()
    const page = await (await fetch(`${server.url}${LIST_PAGE_PATH}`, { headers: t.headers })).text()
    const bodyFile = join(dataDir, 'baseline-body.json')
    writeFileSync(bodyFile, JSON.stringify({ [BASELINE_PATH]: JSON.parse(claim), [BASELINE_PAGE_PATH]: JSON.parse(page) }))
    const bare = await startServer(['baseline', bodyFile])
    let baselinePage: Figures
    try {
      log('  baseline')
      baseline = await measure({ ...target(bare.url), headers: {}, path: BASELINE_PATH }, t.warmup)
      baselinePage = await measure({ ...target(bare.url), headers: {}, path: BASELINE_PAGE_PATH }, t.warmup)
      baselineRss = bare.peakRss()
    } finally {
      await bare.stop()
      rmSync(bodyFile, { force: true })
    }
    rows.push({ key: 'baseline', label: `baseline: bare Fastify, ${Buffer.byteLength(claim)} B claim JSON`, figures: baseline })
    rows.push({ key: 'baselinePage', label: `baseline: bare Fastify, ${(Buffer.byteLength(page) / 1024).toFixed(0)} KiB list page JSON`, figures: baselinePage })

    log('  GET by id')
    rows.push(await getById(t, copy))
    rows.push(...await listAndSearch(t, copy, big, '', log))
    log('  POST review')
    rows.push(await postReview(t, copy))
    log('  bulk review')
    rows.push(await bulkReview(t, copy))
    // The RSS target is the serving process's: measured before the import, which holds a 24 MiB
    // body's worth of parsing and 50,000 results on top (its own peak is printed beside).
    peakRss = server.peakRss()
    log('  NDJSON import')
    rows.push(await importNdjson(t))
    importPeakRss = server.peakRss()
  } finally {
    await server.stop()
  }
  try {
    if (options.engine === 'sqlite') {
      log('  floors (SQLite alone)')
      const { one, two } = big.meta.search
      floors = measureFloors(copy.path, copy.ids, [one.words, two.words])
    }
  } finally {
    copy.remove()
    await copy.dispose?.()
  }
}

// The small database: the list and search scenarios again, to show how they grow with N.
let smallRows: Row[]
let smallBytes = bigBytes
if (small === big) {
  // Same database: measuring again would only show noise.
  smallRows = rows.filter((r) => /^(list|search)/.test(r.key)).map((r) => ({ ...r, key: `small.${r.key}` }))
} else {
  const copy = await scratchCopy(small, options.smallClaims)
  smallBytes = copy.bytes
  const server = await startServer(['app', copy.path, adminKey], nodeArgs)
  try {
    log(`[${elapsed()}] ${options.smallClaims.toLocaleString('en')}-claim server pid ${server.pid}`)
    smallRows = await listAndSearch(target(server.url), copy, small, 'small.', log)
  } finally {
    await server.stop()
    copy.remove()
    await copy.dispose?.()
  }
}
const sectionTitle = `at ${options.smallClaims.toLocaleString('en')} claims${small === big ? ' (the rows above: same database)' : ''}:`
rows.push(...smallRows.map((r, i) => ({ ...r, ...(i === 0 ? { section: sectionTitle } : {}) })))

out('')
out(`Claimledger bench — ${options.claims.toLocaleString('en')} claims (${big.meta.speakers.toLocaleString('en')} speakers, ` +
  `${big.meta.sources.toLocaleString('en')} sources, ${big.meta.reviews.toLocaleString('en')} reviews), ` +
  `${options.duration} s per scenario, ${options.connections} connections, server in a child process, ` +
  (options.engine === 'postgres' ? `on PostgreSQL (${new URL(options.databaseUrl as string).host}, pool of 10)` : 'on SQLite'))
out('')
printTable(rows, baseline, out)
out('')
printFindings(rows, baseline, {
  claims: options.claims,
  smallClaims: options.smallClaims,
  peakRss,
  importPeakRss,
  baselineRss,
  databaseWhat: options.engine === 'postgres' ? 'size (pg_database_size)' : 'file',
  databaseBytes: bigBytes,
  smallDatabaseBytes: smallBytes
}, out)

if (floors !== undefined) {
  const figures = (key: string) => rows.find((r) => r.key === key)?.figures?.reqPerSec
  out('')
  printFloors(floors, { baselinePerSec: baseline?.reqPerSec, getByIdPerSec: figures('getById'), postReviewPerSec: figures('postReview'), importPerSec: figures('importNdjson') }, out)
}

if (options.json !== undefined) {
  writeJson(options.json, rows, baseline)
  log(`figures written to ${options.json}`)
}
if (options.profile) log(`server CPU profiles in ${profileDir}`)
log(`done in ${elapsed()}`)
