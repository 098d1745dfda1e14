/**
 * Streamed imports as a desk's script meets them. Over a real socket, against the built
 * server in its own process: the server keeps answering during a large import, and a
 * chunked body over the limit is refused before anything is written. In process: a failure
 * after some batches says exactly what was committed, and an over-long line fails alone in
 * bounded memory. No outcome leaves a temp file, or even an open one, behind.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import Database from 'better-sqlite3'
import t, { type Test } from 'tap'
import { MAX_LINE_BYTES, ndjsonRecords } from '../src/claims/import.js'
import { ADMIN_KEY, claimInput, ensureBuilt, harness } from './helpers.js'

const root = ensureBuilt()
t.setTimeout(180_000)
const ndjsonHeaders = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/x-ndjson' }
const claimLine = (i: number, context = '') => JSON.stringify(claimInput({ text: `Imported claim number ${i}`, ...(context === '' ? {} : { context }) }))

interface Server { base: string, pid: number, databasePath: string, spoolDir: string }

/** The built server on 127.0.0.1 with its own database and its own temp directory, where its uploads are spooled. */
async function startServer (t: Test): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'claimledger-import-'))
  const spoolDir = join(dir, 'tmp')
  mkdirSync(spoolDir)
  const databasePath = join(dir, 'claims.db')
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: root,
    env: { PATH: process.env.PATH, TMPDIR: spoolDir, DATABASE_PATH: databasePath, PORT: '0', SEED: 'false', ADMIN_API_KEY: ADMIN_KEY },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  t.teardown(async () => {
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  })
  let log = ''
  child.stdout.on('data', (chunk) => { log += String(chunk) })
  for (let i = 0; i < 600 && !/Server listening at/.test(log); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  const base = /Server listening at (http:\/\/[\d.:]+)/.exec(log)?.[1]
  if (base === undefined || child.pid === undefined) throw new Error('server did not start: ' + log)
  return { base, pid: child.pid, databasePath, spoolDir }
}

// One server for the socket tests (starting one is slow on a busy machine); each test
// measures against the state it found, never against another test's row counts.
let started: Promise<Server> | undefined
const server = async () => await (started ??= startServer(t))

/** Row counts, read by a connection of our own while the server runs. */
function counts (databasePath: string) {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true })
  try {
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
    return { claims: count('claims'), speakers: count('speakers'), sources: count('sources'), auditEvents: count('audit_events') }
  } finally {
    db.close()
  }
}

/** Spooled uploads a process still holds open (Linux: /proc; elsewhere nothing can be seen, so none). */
function openUploads (pid: number | 'self'): string[] {
  let fds: string[]
  try { fds = readdirSync(`/proc/${pid}/fd`) } catch { return [] }
  return fds.flatMap((fd) => {
    try { return [readlinkSync(`/proc/${pid}/fd/${fd}`)].filter((target) => target.includes('claimledger-upload-')) } catch { return [] }
  })
}

/** No upload left in the server's temp directory or among its open files. */
async function noUploadsLeft (t: Test, server: Server, when: string) {
  let open = openUploads(server.pid)
  // Closing the spool file may finish just after the response: wait for it, boundedly.
  for (let i = 0; i < 500 && open.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    open = openUploads(server.pid)
  }
  t.same(open, [], `${when}: no spooled upload still open`)
  t.same(readdirSync(server.spoolDir), [], `${when}: no file left in the temp directory`)
}

t.test('the server answers other requests while a large NDJSON import is committing', async (t) => {
  const running = await server()
  const lines = 2000
  const body = Array.from({ length: lines }, (_, i) => claimLine(i)).join('\n')
  const order: string[] = []
  const importing = fetch(running.base + '/v1/claims/import', { method: 'POST', headers: ndjsonHeaders, body })
    .then(async (res) => { order.push('import'); return { status: res.status, data: await res.json() as { created: number } } })

  // Wait (boundedly) until the first batches are committed, then ask for /health.
  const before = counts(running.databasePath).claims
  let seen = 0
  for (let i = 0; i < 1200 && seen === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25))
    seen = counts(running.databasePath).claims - before
  }
  t.ok(seen > 0 && seen < lines, `health is asked while the import is in progress (${seen} of ${lines} committed)`)
  const health = await fetch(running.base + '/health').then((res) => { order.push('health'); return res.status })
  t.equal(health, 200)
  t.match(await importing, { status: 200, data: { created: lines } })
  t.same(order, ['health', 'import'], '/health is answered before the import finishes')
  await noUploadsLeft(t, running, 'after a successful import')
})

t.test('a chunked body over 50 MiB gets 413 and nothing of it is written', async (t) => {
  const running = await server()
  const before = counts(running.databasePath)
  const context = 'c'.repeat(4900)
  const limit = 50 * 1024 * 1024
  let line = 0
  let sent = 0
  const encoder = new TextEncoder()
  // Valid claims all the way, so that any batch committed before the refusal would show.
  const body = new ReadableStream<Uint8Array>({
    pull (controller) {
      if (sent > limit + 2 * 1024 * 1024) return controller.close()
      const chunk = encoder.encode(Array.from({ length: 50 }, () => claimLine(++line, context)).join('\n') + '\n')
      sent += chunk.length
      controller.enqueue(chunk)
    }
  })
  const res = await fetch(running.base + '/v1/claims/import', { method: 'POST', headers: ndjsonHeaders, body, duplex: 'half' } as RequestInit)
  t.equal(res.status, 413)
  t.match(res.headers.get('content-type'), /^application\/problem\+json/)
  t.match(await res.json(), { status: 413, detail: /50 MiB limit; nothing was written/ })
  t.same(counts(running.databasePath), before, 'the database is unchanged')
  await noUploadsLeft(t, running, 'after a 413')
})

t.test('a client that gives up mid-upload leaves no temp file', async (t) => {
  const running = await server()
  const before = counts(running.databasePath)
  const controller = new AbortController()
  let line = 0
  const body = new ReadableStream<Uint8Array>({
    async pull (stream) {
      // Enough to be spooled, then the client stalls until it aborts.
      if (line >= 2000) return await new Promise((resolve) => setTimeout(resolve, 1000))
      stream.enqueue(new TextEncoder().encode(Array.from({ length: 100 }, () => claimLine(++line)).join('\n') + '\n'))
    }
  })
  const request = fetch(running.base + '/v1/claims/import', {
    method: 'POST', headers: ndjsonHeaders, body, duplex: 'half', signal: controller.signal
  } as RequestInit)
  let open: string[] = []
  for (let i = 0; i < 1000 && open.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    open = openUploads(running.pid)
  }
  if (process.platform === 'linux') t.equal(open.length, 1, 'the upload is being spooled')
  t.same(readdirSync(running.spoolDir), [], 'the spool file is never visible in the temp directory')
  controller.abort()
  await t.rejects(request)
  await noUploadsLeft(t, running, 'after a client abort')
  t.same(counts(running.databasePath), before, 'nothing was written')
  t.equal((await fetch(running.base + '/health')).status, 200, 'the server carries on')
})

t.test('a failure after some batches (disk full) says exactly what stays committed', async (t) => {
  const { as, database } = await harness(t)
  const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => claimLine(from + i)).join('\n') + '\n'
  const pages = () => database.sqlite.pragma('page_count', { simple: true }) as number
  // One batch first, to learn how much room a batch takes; then leave room for about one and a half.
  const start = pages()
  const first = await as('editor')('POST', '/v1/claims/import', lines(0, 500), { 'content-type': 'application/x-ndjson' })
  t.match(first.data, { created: 500 })
  const perBatch = pages() - start
  database.sqlite.pragma(`max_page_count = ${pages() + Math.floor(perBatch * 1.5)}`)

  const res = await as('editor')('POST', '/v1/claims/import', lines(500, 1500), { 'content-type': 'application/x-ndjson' })
  t.ok(res.statusCode >= 500, `a server-side problem (${res.statusCode})`)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.notMatch(res.body, /SQLITE|sqlite|\/tmp\//, 'no SQL error text or path leaks')
  t.match(res.data, { committed: { created: 500, duplicates: 0, failed: 0, through: { line: 500 } } })
  t.same(res.data.results.map((r: { line: number, ok: boolean }) => [r.line, r.ok]), Array.from({ length: 500 }, (_, i) => [i + 1, true]))
  const ids = (body: { results: Array<{ id: string }> }) => body.results.map((r) => r.id)
  const stored = (database.sqlite.prepare('SELECT id FROM claims').pluck().all() as string[]).sort()
  t.same(stored, [...ids(first.data), ...ids(res.data)].sort(), 'the database holds exactly the claims the problem lists, and the earlier ones')
  database.sqlite.pragma('max_page_count = 1073741823')
  t.equal((await as('admin')('GET', '/v1/audit/verify')).data.ok, true, 'the history is whole')
  t.same(openUploads('self'), [], 'the spooled upload was closed')
})

t.test('a line over the 1 MiB cap fails alone, without stopping the lines after it', async (t) => {
  const { as } = await harness(t)
  const long = JSON.stringify(claimInput({ text: 'x'.repeat(2 * MAX_LINE_BYTES) }))
  const atCap = JSON.stringify(claimInput({ context: 'y'.repeat(MAX_LINE_BYTES) })).slice(0, MAX_LINE_BYTES)
  const body = [claimLine(1), long, claimLine(3), atCap, claimLine(5)].join('\n')
  const res = await as('editor')('POST', '/v1/claims/import', body, { 'content-type': 'application/x-ndjson' })
  t.equal(res.statusCode, 200)
  t.match(res.data, { created: 3, failed: 2 })
  t.match(res.data.results, [
    { line: 1, ok: true },
    { line: 2, ok: false, error: { status: 413, detail: 'Line 2 is over 1 MiB, the most one record may be' } },
    { line: 3, ok: true },
    { line: 4, ok: false, error: { status: 400, detail: 'Line 4 is not valid JSON' } },
    { line: 5, ok: true }
  ], 'a line of exactly 1 MiB is still read (and here is cut-off JSON)')
})

t.test('an over-long line is not held in memory while it streams past', async (t) => {
  // A full GC on demand, so that what is measured is what the splitter still holds, not garbage.
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const chunkBytes = 64 * 1024
  const chunks: Array<WeakRef<Buffer>> = []
  let heapGrowth = 0
  let alive = 0
  async function * input () {
    yield Buffer.from(claimLine(1) + '\n{"text":"')
    gc()
    const baseline = process.memoryUsage().heapUsed
    for (let sent = 0; sent < 20 * 1024 * 1024; sent += chunkBytes) {
      const chunk = Buffer.alloc(chunkBytes, 'x')
      chunks.push(new WeakRef(chunk))
      yield chunk
    }
    // Asked for more: every chunk of the long line has been taken in. A new turn first, as a
    // WeakRef keeps its target until the job that made it ends.
    await new Promise((resolve) => setImmediate(resolve))
    gc()
    heapGrowth = process.memoryUsage().heapUsed - baseline
    alive = chunks.filter((chunk) => chunk.deref() !== undefined).length
    yield Buffer.from('"}\n' + claimLine(3) + '\n')
  }
  const outcomes = []
  for await (const record of ndjsonRecords(input())) outcomes.push([record.ref, record.error?.status ?? 'read'])
  t.ok(alive * chunkBytes <= MAX_LINE_BYTES, `${alive} of the 20 MiB line's ${chunks.length} chunks still held`)
  t.ok(heapGrowth < 4 * 1024 * 1024, `the heap grew ${(heapGrowth / 1024 / 1024).toFixed(1)} MiB while it went past`)
  t.same(outcomes, [[{ line: 1 }, 'read'], [{ line: 2 }, 413], [{ line: 3 }, 'read']])
})
