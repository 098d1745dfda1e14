/**
 * `claimledger copy`: a SQLite database moved into PostgreSQL keeps every id, key, review and
 * audit event, so the API answers the same on either side and the chain verifies there.
 */
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import * as schema from '../src/db/schema.js'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { copySqliteToPostgres, TargetNotEmpty } from '../src/db/copy.js'
import { loadSeeds } from '../src/seed.js'
import { ADMIN_KEY, claimInput, harness } from './helpers.js'
import { freshPostgresEngine } from './support/postgres.js'

t.setTimeout(120_000)

const get = async (on: FastifyInstance, url: string, headers: Record<string, string> = {}) =>
  (await on.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ADMIN_KEY}`, ...headers } })).json()

t.test('a copied database answers the API exactly as the original did', async (t) => {
  const target = await freshPostgresEngine(t)
  if (target === undefined) return
  const h = await harness(t)
  if (h.engine.kind !== 'sqlite') throw new Error('the original is SQLite')
  await loadSeeds(h.app.services)
  const claim = (await h.as('editor')('POST', '/v1/claims', claimInput())).data
  await h.as('reviewer')('POST', `/v1/claims/${claim.id as string}/reviews`, { verdict: 'disputed', note: 'No source', evidence: [{ url: 'https://example.com/e', stance: 'refutes' }] })
  await h.as('reviewer')('POST', '/v1/reviews/bulk', { items: [{ claimId: claim.id, verdict: 'unverified', note: 'Reopened' }] }, { 'idempotency-key': 'copy-1' })

  // The copy reads on a connection of its own, in one transaction: a row written by another
  // connection as the copy starts (the server going on) is not in it.
  const original = h.engine.database.sqlite
  const reading = new Database(original.name)
  t.teardown(() => reading.close())
  const sources = (await get(h.app, '/v1/sources')).items.length as number
  let late = false
  const copied = await copySqliteToPostgres(drizzle(reading, { schema }), target.postgres.db, ({ table }) => {
    if (late) return
    late = true
    t.equal(table, 'apiKeys', 'the first table copied')
    original.prepare(`INSERT INTO sources (id, title, kind, title_key, created_at, updated_at)
      VALUES ('0190d9d6-0000-7000-8000-00000000a7e0', 'Written during the copy', 'article', 'written during the copy', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`).run()
  })
  t.match(copied.rows, { claims: 18, reviews: 2, apiKeys: 4, sources })
  t.equal(copied.head?.seq, (await get(h.app, '/v1/audit/verify')).head.seq, 'the copy ends at the head it began with')
  original.prepare('DELETE FROM sources WHERE id = ?').run('0190d9d6-0000-7000-8000-00000000a7e0')
  const app = await buildApp(loadConfig({ LOG_LEVEL: 'silent' }), target)
  t.teardown(async () => { await app.close() })
  for (const url of ['/v1/claims?limit=100', `/v1/claims/${claim.id as string}`, '/v1/audit?limit=1000', '/v1/speakers?limit=100',
    '/v1/sources', `/v1/claims/${claim.id as string}/reviews`, '/v1/claims?q=armenia&sort=-claimedAt&limit=100', '/v1/stats', '/v1/audit/verify']) {
    t.same(await get(app, url), await get(h.app, url), `GET ${url}: the same on PostgreSQL`)
  }
  // Relevance is each engine's own ranking (BM25 and ts_rank): the same claims, maybe in another order.
  const found = async (on: typeof app) => ((await get(on, '/v1/claims?q=armenia&sort=relevance&limit=100')).items as Array<{ id: string }>).map((c) => c.id).sort()
  t.same(await found(app), await found(h.app), 'a search finds the same claims')
  const replay = await app.inject({
    method: 'POST',
    url: '/v1/reviews/bulk',
    headers: { authorization: `Bearer ${h.keys.reviewer}`, 'idempotency-key': 'copy-1' },
    payload: { items: [{ claimId: claim.id, verdict: 'unverified', note: 'Reopened' }] }
  })
  t.equal(replay.headers['idempotent-replayed'], 'true', 'keys and idempotency records came along')
  await t.rejects(copySqliteToPostgres(h.engine.database.db, target.postgres.db), TargetNotEmpty, 'never into a database with data')
})
