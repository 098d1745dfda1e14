/**
 * A database made by an earlier release keeps working: `fixtures/main-5953a0b.sqlite` was
 * written by main at 5953a0b (migrations 0000–0003) through its own API — the seeded article,
 * a dispute, a bulk review under an Idempotency-Key, a deleted claim, a second key — and is
 * opened here by today's code, which migrates it on open. Nothing is lost or reinterpreted:
 * the chain verifies with no event added, the new counters match what the old server
 * reported, and the old stored bulk answer still replays.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { verifyEvents } from '../src/modules/audit/ledger.js'
import { eventsOf } from '../src/modules/audit/sqlite.js'
import { loadConfig } from '../src/config.js'
import { openSqliteEngine } from '../src/db/sqlite/engine.js'

const ADMIN = 'fixture-admin-key-0123456789abcdefghijklmnop'
/** What the old server answered before it stopped. */
const OLD = {
  head: { seq: 32, hash: '3e45e49b58789078d23d069e1cb61c2ed948abb46c44af48ea48b0161d3ca6a5' },
  totals: { claims: 16, unverified: 14, corroborated: 1, disputed: 1, reviews: 3 }
}

t.test('a database from main at 5953a0b migrates on open and reads, verifies and replays as it did', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'claimledger-upgrade-'))
  const path = join(dir, 'claims.db')
  copyFileSync(new URL('fixtures/main-5953a0b.sqlite', import.meta.url), path)
  const config = loadConfig({ DATABASE_PATH: path, LOG_LEVEL: 'silent' })
  const engine = openSqliteEngine(path, { minFreeBytes: config.databaseMinFreeBytes })
  const { database } = engine
  const app = await buildApp(config, engine)
  t.teardown(async () => {
    await app.close()
    await engine.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const call = async (method: 'GET' | 'POST', url: string, body?: object, headers: Record<string, string> = {}) => {
    const res = await app.inject({ method, url, headers: { authorization: `Bearer ${ADMIN}`, ...headers }, ...(body === undefined ? {} : { payload: body }) })
    return Object.assign(res, { data: res.json() })
  }

  const applied = database.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }
  t.ok(applied.n > 4, `every migration since 0003 applied (${applied.n} in all)`)
  t.same(verifyEvents(eventsOf(database.sqlite)), { ok: true, events: OLD.head.seq, head: OLD.head }, 'the chain as the old server left it: verified, nothing added')

  const stats = await call('GET', '/v1/stats')
  t.equal(stats.statusCode, 200)
  t.match(stats.data, { totals: OLD.totals }, 'the status counters, new in 0005, were backfilled to what the old server counted')

  // The bulk answer the old server stored under its Idempotency-Key still replays.
  const claims = (await call('GET', '/v1/claims?limit=100')).data.items as Array<{ id: string, status: string }>
  t.equal(claims.length, OLD.totals.claims)
  const corroborated = '01a238ca-6acf-766d-8754-86e22fd40e95'
  t.equal(claims.find((c) => c.id === corroborated)?.status, 'corroborated')
  const bulk = {
    atomic: false,
    items: [
      { claimId: corroborated, verdict: 'corroborated', note: 'Confirmed.', evidence: [{ url: 'https://www.osce.org/', stance: 'supports' }] },
      { claimId: '01a238ca-6acd-7157-8f2a-2c02d9ea309d', verdict: 'unverified', note: 'Reopened.' }
    ]
  }
  const replay = await call('POST', '/v1/reviews/bulk', bulk, { 'idempotency-key': 'fixture-batch' })
  t.equal(replay.statusCode, 200)
  t.equal(replay.headers['idempotent-replayed'], 'true')
  t.match(replay.data, { applied: 2, results: [{ index: 0, ok: true }, { index: 1, ok: true }] }, 'the stored answer, not a second application')

  // New writes on the old data: a review with a clientRef (new in 0004), and its replay.
  const disputed = claims.find((c) => c.status === 'disputed') as { id: string }
  const review = { verdict: 'unverified', note: 'Reopened after the upgrade', clientRef: 'upgrade:1' }
  t.equal((await call('POST', `/v1/claims/${disputed.id}/reviews`, review)).statusCode, 201)
  t.equal((await call('POST', `/v1/claims/${disputed.id}/reviews`, review)).statusCode, 200, 'replayed by its clientRef')
  t.match((await call('GET', '/v1/stats')).data, { totals: { ...OLD.totals, unverified: 15, disputed: 0, reviews: 4 } }, 'the counters follow new writes')
  t.match((await call('GET', '/v1/audit/verify')).data, { ok: true, events: OLD.head.seq + 1 })
})
