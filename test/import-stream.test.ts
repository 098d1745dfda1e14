/**
 * Streamed imports as a desk's script meets them, on a real socket (127.0.0.1): the server
 * keeps answering during a large import, a chunked body over the limit is refused before
 * anything is written, a client that gives up leaves nothing behind; a failure after some
 * batches says exactly what was committed; an over-long line fails alone, in bounded memory.
 * No outcome leaves a spooled upload open (and it is never visible in the temp directory).
 */
import { readdirSync, readlinkSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t, { type Test } from 'tap'
import { systemContext } from '../src/core/context.js'
import { importBatch, importRecords, MAX_LINE_BYTES, ndjsonRecords } from '../src/modules/claims/import.js'
import { newId } from '../src/db/ids.js'
import { claimInput, dump, harness, sqliteOnly, type Harness } from './helpers.js'
import { countRows } from './support/engines.js'

// Real imports of thousands of claims: more than tap's default 30 s on a busy machine.
t.setTimeout(180_000)
const claimLine = (i: number, context = '') => JSON.stringify(claimInput({ text: `Imported claim number ${i}`, ...(context === '' ? {} : { context }) }))
const ndjsonLines = (from: number, count: number) => Array.from({ length: count }, (_, i) => claimLine(from + i)).join('\n') + '\n'

/** The app of a fresh harness, listening on 127.0.0.1. */
async function listening (t: Test): Promise<Harness & { base: string, headers: Record<string, string> }> {
  const running = await harness(t)
  const base = await running.app.listen({ host: '127.0.0.1', port: 0 })
  return { ...running, base, headers: { authorization: `Bearer ${running.keys.editor}`, 'content-type': 'application/x-ndjson' } }
}

/** Spooled uploads this process holds open (Linux: /proc; elsewhere none can be seen). */
function openUploads (): string[] {
  let fds: string[]
  try { fds = readdirSync('/proc/self/fd') } catch { return [] }
  return fds.flatMap((fd) => {
    try { return [readlinkSync(`/proc/self/fd/${fd}`)].filter((target) => target.includes('claimledger-upload-')) } catch { return [] }
  })
}

/** Waits (boundedly) until no spooled upload is open: closing it may finish just after the response. */
async function noUploadsLeft (t: Test, when: string) {
  let open = openUploads()
  for (let i = 0; i < 500 && open.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    open = openUploads()
  }
  t.same(open, [], `${when}: no spooled upload still open`)
}

t.test('the server answers other requests while a large NDJSON import is committing', async (t) => {
  const { as, base, engine } = await listening(t)
  const lines = 2000
  const order: string[] = []
  // The whole body at once (as when it arrives faster than it is imported); then wait (boundedly)
  // until the first batches are committed, and ask for /health over the socket.
  const importing = as('editor')('POST', '/v1/claims/import', ndjsonLines(0, lines), { 'content-type': 'application/x-ndjson' })
    .then((res) => { order.push('import'); return res })
  const committed = async () => await countRows(engine, 'claims')
  let seen = 0
  for (let i = 0; i < 2400 && seen === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25))
    seen = await committed()
  }
  t.ok(seen > 0 && seen < lines, `health is asked while the import is in progress (${seen} of ${lines} committed)`)
  const health = await fetch(base + '/health').then((res) => { order.push('health'); return res.status })
  t.equal(health, 200)
  t.match((await importing).data, { created: lines })
  t.same(order, ['health', 'import'], '/health is answered before the import finishes')
  await noUploadsLeft(t, 'after a successful import')
})

t.test('a chunked body over 50 MiB gets 413 and nothing of it is written', async (t) => {
  const { base, engine, headers } = await listening(t)
  const before = await dump(engine)
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
  const res = await fetch(base + '/v1/claims/import', { method: 'POST', headers, body, duplex: 'half' } as RequestInit)
  t.equal(res.status, 413)
  t.match(res.headers.get('content-type'), /^application\/problem\+json/)
  t.match(await res.json(), { status: 413, detail: /50 MiB limit; nothing was written/ })
  t.same(await dump(engine), before, 'the database is unchanged')
  await noUploadsLeft(t, 'after a 413')
})

t.test('a client that gives up mid-upload leaves no temp file', async (t) => {
  const { base, engine, headers } = await listening(t)
  const before = await dump(engine)
  const controller = new AbortController()
  let line = 0
  const body = new ReadableStream<Uint8Array>({
    async pull (stream) {
      // Enough to be spooled, then the client stalls until it aborts.
      if (line >= 2000) return await new Promise((resolve) => setTimeout(resolve, 1000))
      stream.enqueue(new TextEncoder().encode(ndjsonLines(line, 100)))
      line += 100
    }
  })
  const request = fetch(base + '/v1/claims/import', { method: 'POST', headers, body, duplex: 'half', signal: controller.signal } as RequestInit)
  // Wait (boundedly) for the spool file, and for its name to be gone from the temp directory.
  let open: string[] = []
  for (let i = 0; i < 1000 && !(open[0]?.endsWith(' (deleted)') ?? false); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    open = openUploads()
  }
  if (process.platform === 'linux') t.match(open, [/ \(deleted\)$/], 'the upload is spooled to a file no longer in the temp directory')
  controller.abort()
  await t.rejects(request)
  await noUploadsLeft(t, 'after a client abort')
  t.same(await dump(engine), before, 'nothing was written')
  t.equal((await fetch(base + '/health')).status, 200, 'the server carries on')
})

t.test('a failure after some batches (disk full) says exactly what stays committed', sqliteOnly, async (t) => {
  // Transactions as short as can be (one record each): the disk fills up part way through the import.
  const { as, database } = await harness(t, { IMPORT_COMMIT_MS: '0' })
  const pages = () => database.sqlite.pragma('page_count', { simple: true }) as number
  // One batch first, to learn how much room a batch takes; then leave room for about one and a half.
  const start = pages()
  const first = await as('editor')('POST', '/v1/claims/import', ndjsonLines(0, 500), { 'content-type': 'application/x-ndjson' })
  t.match(first.data, { created: 500 })
  const perBatch = pages() - start
  database.sqlite.pragma(`max_page_count = ${pages() + Math.floor(perBatch * 1.5)}`)

  const res = await as('editor')('POST', '/v1/claims/import', ndjsonLines(500, 1500), { 'content-type': 'application/x-ndjson' })
  t.ok(res.statusCode >= 500, `a server-side problem (${res.statusCode})`)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.notMatch(res.body, /SQLITE|sqlite|\/tmp\//, 'no SQL error text or path leaks')
  // However the records were sliced into transactions, the problem names a prefix of the lines, all created.
  const { created, through } = res.data.committed
  t.ok(created > 0 && created < 1500, `some batches were committed before the disk filled up (${created} claims)`)
  t.match(res.data, { committed: { created, duplicates: 0, failed: 0, through: { line: created } } })
  t.same(res.data.results.map((r: { line: number, ok: boolean }) => [r.line, r.ok]), Array.from({ length: created }, (_, i) => [i + 1, true]))
  t.same(through, { line: created })
  const ids = (body: { results: Array<{ id: string }> }) => body.results.map((r) => r.id)
  const stored = (database.sqlite.prepare('SELECT id FROM claims').pluck().all() as string[]).sort()
  t.same(stored, [...ids(first.data), ...ids(res.data)].sort(), 'the database holds exactly the claims the problem lists, and the earlier ones')
  database.sqlite.pragma('max_page_count = 1073741823')
  t.equal((await as('admin')('GET', '/v1/audit/verify')).data.ok, true, 'the history is whole')
  t.same(openUploads(), [], 'the spooled upload was closed')
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
  for await (const record of ndjsonRecords(input())) outcomes.push([record.ref, record.error?.name ?? 'read'])
  t.ok(alive * chunkBytes <= MAX_LINE_BYTES, `${alive} of the 20 MiB line's ${chunks.length} chunks still held`)
  t.ok(heapGrowth < 4 * 1024 * 1024, `the heap grew ${(heapGrowth / 1024 / 1024).toFixed(1)} MiB while it went past`)
  t.same(outcomes, [[{ line: 1 }, 'read'], [{ line: 2 }, 'TooLarge'], [{ line: 3 }, 'read']])
})

t.test('a transaction lasts at most its commit time: past it, it commits what it has', async (t) => {
  const { app, engine } = await harness(t)
  const ctx = systemContext('test', newId())
  const records = [0, 1, 2].map((i) => ({ ref: { index: i }, value: claimInput({ text: `Sliced claim ${i}` }) }))
  const slice = await importBatch(app.services, ctx, records, { commitMs: 0, sliceMs: 0 })
  t.same(slice.map((r) => ['index' in r && r.index, r.ok]), [[0, true]], 'a commit time already past: one record, committed')
  t.same((await importBatch(app.services, ctx, records.slice(1))).map((r) => r.ok), [true, true], 'the default: all of them')
  // importRecords goes on slice after slice until every record is in, whatever the slices were.
  const more = Array.from({ length: 1200 }, (_, i) => ({ ref: { index: i }, value: claimInput({ text: `Bulk claim ${i}` }) }))
  const summary = await importRecords(app.services, ctx, more)
  t.match(summary, { created: 1200, failed: 0 })
  t.same(summary.results.map((r) => 'index' in r && r.index), more.map((_, i) => i))
  t.equal(await countRows(engine, 'claims'), 1203)
})

t.test('between slices other requests go first; a write waits for the import\'s commit, and follows it in the history', async (t) => {
  const { app, as } = await harness(t)
  const ctx = systemContext('test', newId())
  const records = Array.from({ length: 6 }, (_, i) => ({ ref: { index: i }, value: claimInput({ text: `Paced claim ${i}` }) }))
  const order: string[] = []
  // A slice of 0 ms: the import yields after every record, in one open transaction.
  const importing = importBatch(app.services, ctx, records, { commitMs: 60_000, sliceMs: 0 }).then((results) => {
    order.push('import committed')
    return results
  })
  const read = app.inject({ method: 'GET', url: '/health' }).then((res) => { order.push(`read ${res.statusCode}`) })
  const write = as('editor')('POST', '/v1/claims', claimInput({ text: 'Written during the import' })).then((res) => { order.push(`write ${res.statusCode}`) })
  const [results] = await Promise.all([importing, read, write])
  t.same(results.map((r) => r.ok), [true, true, true, true, true, true], 'every record in one transaction')
  t.same(order, ['read 200', 'import committed', 'write 201'], 'the read is answered mid-import; the write after its commit')
  const history = (await as('viewer')('GET', '/v1/audit?limit=100')).data.items as Array<{ action: string, changes: { text?: { to: string } } }>
  const texts = history.filter((e) => e.action === 'claim.created').map((e) => e.changes.text?.to)
  t.same(texts.slice(-7), [...records.map((_, i) => `Paced claim ${i}`), 'Written during the import'], 'the history in commit order')
})
