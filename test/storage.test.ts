/**
 * When the database's storage fails under a running server (disk full, read-only, the file
 * deleted or replaced, damaged, I/O errors), writes get an honest 507/503 problem instead of
 * a generic 500, change nothing, and /ready says so until the storage takes writes again.
 */
import { copyFileSync, renameSync, rmSync } from 'node:fs'
import Database from 'better-sqlite3'
import type { FastifyError } from 'fastify'
import t, { type Test } from 'tap'
import { loadConfig } from '../src/config.js'
import { FAULT_MEMORY_MS, faultMemory } from '../src/db/watch.js'
import { toProblem } from '../src/http/problems.js'
import { claimInput, dump, harness, type Harness, type Response } from './helpers.js'

/** A claim big enough to need new pages (text, quote and context spill into overflow pages). */
const bigClaim = (tag: string) => claimInput({ text: `${tag} ${'x'.repeat(4900)}`, quote: 'q'.repeat(5000), context: 'c'.repeat(5000) })

function storageProblem (t: Test, h: Harness, res: Response, status: number, type: string, title: string) {
  t.equal(res.statusCode, status, `${status} ${title}`)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.match(res.data, { status, type: `https://claimledger.dev/problems/${type}`, title })
  t.notOk(res.body.includes(h.dir), 'no file path')
  t.notMatch(res.body, /sqlite|SELECT|INSERT|BEGIN/i, 'no SQL or engine messages')
}

async function ready (h: Harness) {
  const res = await h.as('none')('GET', '/ready')
  return { status: res.statusCode, detail: res.data.detail as string | undefined }
}

t.test('disk full: 507 Insufficient storage for every kind of write, nothing written; /ready fails until a write succeeds', async (t) => {
  const h = await harness(t)
  const claim = (await h.as('editor')('POST', '/v1/claims', claimInput())).data
  const pages = h.database.sqlite.pragma('page_count', { simple: true }) as number
  // SQLite's own limit on the file's size: a write past it fails exactly as on a full disk.
  h.database.sqlite.pragma(`max_page_count = ${pages}`)
  const before = await dump(h.engine)

  storageProblem(t, h, await h.as('editor')('POST', '/v1/claims', bigClaim('full')), 507, 'insufficient-storage', 'Insufficient storage')
  const res = await h.as('editor')('POST', '/v1/claims/import', { items: [bigClaim('import 1'), bigClaim('import 2')] })
  storageProblem(t, h, res, 507, 'insufficient-storage', 'Insufficient storage')
  t.match(res.data.detail, /disk is full, so nothing was written/)
  const note = 'n'.repeat(10_000)
  storageProblem(t, h, await h.as('reviewer')('POST', `/v1/claims/${claim.id}/reviews`, { verdict: 'unverified', note }),
    507, 'insufficient-storage', 'Insufficient storage')
  storageProblem(t, h, await h.as('reviewer')('POST', '/v1/reviews/bulk', { items: [{ claimId: claim.id, verdict: 'unverified', note }] }),
    507, 'insufficient-storage', 'Insufficient storage')
  t.same(await dump(h.engine), before, 'the database is exactly as before')

  const notReady = await ready(h)
  t.equal(notReady.status, 503)
  t.match(notReady.detail, /^a write failed \d+ s ago: the disk is full$/)

  h.database.sqlite.pragma('max_page_count = 1073741823')
  t.equal((await h.as('editor')('POST', '/v1/claims', bigClaim('room again'))).statusCode, 201)
  t.same(await ready(h), { status: 200, detail: undefined }, 'a write that succeeds makes it ready again')
})

t.test('read-only: 503 and nothing written; /ready fails', async (t) => {
  const h = await harness(t)
  const before = await dump(h.engine)
  // What SQLite answers for a file or disk it cannot write (SQLITE_READONLY).
  h.database.sqlite.pragma('query_only = ON')
  storageProblem(t, h, await h.as('editor')('POST', '/v1/claims', claimInput()), 503, 'database-read-only', 'Database is read-only')
  storageProblem(t, h, await h.as('admin')('POST', '/v1/api-keys', { name: 'desk', role: 'viewer' }), 503, 'database-read-only', 'Database is read-only')
  t.same(await dump(h.engine), before)
  t.match(await ready(h), { status: 503, detail: /the database is read-only$/ })
  h.database.sqlite.pragma('query_only = OFF')
  t.equal((await h.as('editor')('POST', '/v1/claims', claimInput())).statusCode, 201)
  t.equal((await ready(h)).status, 200)
})

t.test('a database file deleted under the server: writes are refused (503), /ready fails', async (t) => {
  const h = await harness(t)
  t.equal((await ready(h)).status, 200)
  rmSync(h.config.databasePath)
  const res = await h.as('editor')('POST', '/v1/claims', claimInput())
  storageProblem(t, h, res, 503, 'database-missing', 'Database file is missing')
  t.match(res.data.detail, /deleted or replaced while the service ran, so nothing was written/)
  t.equal((await h.as('viewer')('GET', '/v1/claims')).data.items.length, 0, 'the write did not go into the unlinked file')
  t.match(await ready(h), { status: 503, detail: /^the database file has been deleted; restore it and restart$/ })
})

t.test('a database file replaced under the server: writes are refused (503), /ready fails', async (t) => {
  const h = await harness(t)
  const path = h.config.databasePath
  // A whole copy of the database (as a restore would put there): its WAL checkpointed into the file
  // first. Without that, on a busy machine the background checkpointer may not have run yet, the
  // copy would lack the schema, and the request would fail reading the API keys before its write.
  h.database.sqlite.pragma('wal_checkpoint(TRUNCATE)')
  copyFileSync(path, `${path}.copy`)
  renameSync(`${path}.copy`, path)
  storageProblem(t, h, await h.as('editor')('POST', '/v1/claims', claimInput()), 503, 'database-missing', 'Database file is missing')
  t.match(await ready(h), { status: 503, detail: /^the database file has been replaced since it was opened/ })
})

t.test('a disk with less free space than DATABASE_MIN_FREE_MB: /ready fails (writes still go through)', async (t) => {
  const h = await harness(t, { DATABASE_MIN_FREE_MB: '1000000' })
  t.match(await ready(h), { status: 503, detail: /^the database's disk has \d+ MiB free, under the 1000000 MiB of DATABASE_MIN_FREE_MB$/ })
  t.equal((await h.as('editor')('POST', '/v1/claims', claimInput())).statusCode, 201)
  t.equal(loadConfig({ DATABASE_MIN_FREE_MB: '0' }).databaseMinFreeBytes, 0, '0 turns the check off')
  t.throws(() => loadConfig({ DATABASE_MIN_FREE_MB: '-1' }), /^Invalid configuration: DATABASE_MIN_FREE_MB /)
})

t.test('a failed write fails /ready for a while, then lets traffic back to find out', async (t) => {
  let now = 1_000_000
  const faults = faultMemory(() => now)
  faults.note(new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE'))
  now += 5_000
  t.equal(faults.problem(), 'a write failed 5 s ago: the disk reported an I/O error')
  now += FAULT_MEMORY_MS - 5_001
  t.ok(faults.problem(), 'still failing just before the end of the window')
  now += 1
  t.equal(faults.problem(), undefined, 'clears itself after the window')
  faults.note(new Database.SqliteError('database disk image is malformed', 'SQLITE_CORRUPT'))
  t.match(faults.problem(), /the database file is damaged$/)
  faults.cleared()
  t.equal(faults.problem(), undefined, 'a successful write clears it at once')
  faults.note(new Database.SqliteError('database is locked', 'SQLITE_BUSY'))
  faults.note(new Error('a bug'))
  t.equal(faults.problem(), undefined, 'a busy lock or a bug is not a storage fault')
})

t.test('every SQLite storage error maps to an honest problem, never a 500', async (t) => {
  const cases: Array<[string, number, string, Record<string, string>?]> = [
    ['SQLITE_FULL', 507, 'insufficient-storage'],
    ['SQLITE_READONLY', 503, 'database-read-only'],
    ['SQLITE_READONLY_DBMOVED', 503, 'database-read-only'],
    ['SQLITE_CORRUPT', 503, 'database-damaged'],
    ['SQLITE_CORRUPT_INDEX', 503, 'database-damaged'],
    ['SQLITE_NOTADB', 503, 'database-damaged'],
    ['SQLITE_IOERR', 503, 'storage-error'],
    ['SQLITE_IOERR_FSYNC', 503, 'storage-error'],
    ['SQLITE_BUSY', 503, 'busy', { 'retry-after': '1' }],
    ['SQLITE_CONSTRAINT_UNIQUE', 500, 'internal']
  ]
  for (const [code, status, slug, headers] of cases) {
    const problem = toProblem(new Database.SqliteError('/data/claims.db: INSERT INTO claims …', code) as unknown as FastifyError, 1024 * 1024)
    t.match(problem, { status, slug, headers: headers ?? {} }, code)
    t.notMatch(problem.message, /claims\.db|INSERT/, `${code}: no path or SQL`)
  }
})

t.test('OpenAPI documents 503 and 507 on writes (not on reads)', async (t) => {
  const h = await harness(t)
  await h.app.ready()
  const paths = (h.app.swagger() as unknown as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }).paths
  for (const [path, method] of [['/v1/claims', 'post'], ['/v1/claims/{id}', 'patch'], ['/v1/claims/{id}', 'delete'], ['/v1/reviews/bulk', 'post']]) {
    t.ok(paths[path as string]?.[method as string]?.responses['507'], `${method} ${path} 507`)
    t.ok(paths[path as string]?.[method as string]?.responses['503'], `${method} ${path} 503`)
  }
  t.notOk(paths['/v1/claims']?.get?.responses['507'], 'a read cannot fill the disk')
})
