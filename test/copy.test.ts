/**
 * `claimledger copy`: a SQLite database moved into PostgreSQL keeps every id, key, review and
 * audit event, so the API answers the same on either side and the chain verifies there.
 */
import t from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { copySqliteToPostgres, TargetNotEmpty } from '../src/db/copy.js'
import { loadSeeds } from '../src/seed.js'
import { ADMIN_KEY, claimInput, harness } from './helpers.js'
import { freshPostgresEngine } from './support/postgres.js'

t.setTimeout(120_000)

t.test('a copied database answers the API exactly as the original did', async (t) => {
  const target = await freshPostgresEngine(t)
  if (target === undefined) return
  const h = await harness(t)
  if (h.engine.kind !== 'sqlite') throw new Error('the original is SQLite')
  await loadSeeds(h.app.services)
  const claim = (await h.as('editor')('POST', '/v1/claims', claimInput())).data
  await h.as('reviewer')('POST', `/v1/claims/${claim.id as string}/reviews`, { verdict: 'disputed', note: 'No source', evidence: [{ url: 'https://example.com/e', stance: 'refutes' }] })
  await h.as('reviewer')('POST', '/v1/reviews/bulk', { items: [{ claimId: claim.id, verdict: 'unverified', note: 'Reopened' }] }, { 'idempotency-key': 'copy-1' })

  const copied = await copySqliteToPostgres(h.engine.database.db, target.postgres.db)
  t.match(copied, { claims: 18, reviews: 2, apiKeys: 4 })
  const app = await buildApp(loadConfig({ LOG_LEVEL: 'silent' }), target)
  t.teardown(async () => { await app.close() })
  const get = async (on: typeof app, url: string, headers: Record<string, string> = {}) =>
    (await on.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ADMIN_KEY}`, ...headers } })).json()
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
