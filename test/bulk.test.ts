import t from 'tap'
import { claimInput, dump, harness, type Harness } from './helpers.js'
import { query } from './support/engines.js'

const evidence = [{ url: 'https://www.osce.org/', stance: 'refutes' }]

async function claims (h: Harness, n: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) ids.push((await h.as('editor')('POST', '/v1/claims', claimInput({ text: `Claim ${i}` }))).data.id)
  return ids
}

const item = (claimId: string, extra: Record<string, unknown> = {}) => ({ claimId, verdict: 'disputed', note: 'Refuted', evidence, ...extra })

t.test('atomic (the default): all apply in one go', async (t) => {
  const h = await harness(t)
  const ids = await claims(h, 3)
  const res = await h.as('reviewer')('POST', '/v1/reviews/bulk', { items: ids.map((id) => item(id)) })
  t.equal(res.statusCode, 200)
  t.equal(res.data.applied, 3)
  t.same(res.data.results.map((r: { index: number, claimId: string, ok: boolean }) => [r.index, r.claimId, r.ok]), ids.map((id, i) => [i, id, true]))
  t.match(res.data.results[0].review, { verdict: 'disputed', previousStatus: 'unverified', reviewer: { name: 'reviewer key' } })
  for (const id of ids) t.match((await h.as('viewer')('GET', `/v1/claims/${id}`)).data, { status: 'disputed', version: 2, reviewCount: 1 })
  t.equal((await h.as('viewer')('GET', '/v1/audit?action=claim.reviewed')).data.items.length, 3)
})

t.test('atomic: one failure rolls everything back, with per-index errors', async (t) => {
  const h = await harness(t)
  const ids = await claims(h, 3)
  const before = await dump(h.engine)
  const res = await h.as('reviewer')('POST', '/v1/reviews/bulk', {
    atomic: true,
    items: [item(ids[0] as string), item(ids[1] as string, { evidence: [] }), item('01890a5d-ac96-774b-bcce-b302099a8057'), item(ids[2] as string, { expectedVersion: 7 })]
  })
  t.equal(res.statusCode, 422)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.match(res.data.errors, [
    { index: 1, claimId: ids[1], status: 422, title: 'Unprocessable request', detail: /evidence/ },
    { index: 2, claimId: '01890a5d-ac96-774b-bcce-b302099a8057', status: 404 },
    { index: 3, claimId: ids[2], status: 412 }
  ])
  t.equal(res.data.errors.length, 3)
  t.same(await dump(h.engine), before, 'no review, no status change, no audit event')
})

t.test('non-atomic: each item on its own, results in input order', async (t) => {
  const h = await harness(t)
  const ids = await claims(h, 3)
  await h.as('editor')('DELETE', `/v1/claims/${ids[2]}`)
  const res = await h.as('reviewer')('POST', '/v1/reviews/bulk', {
    atomic: false,
    items: [item(ids[0] as string, { expectedVersion: 1 }), item(ids[1] as string, { verdict: 'corroborated', evidence: [] }), item(ids[2] as string), item(ids[1] as string, { verdict: 'unverified', evidence: [] })]
  })
  t.equal(res.statusCode, 200)
  t.equal(res.data.applied, 2)
  t.same(res.data.results.map((r: { ok: boolean, error?: { status: number } }) => r.ok ? 'ok' : r.error?.status), ['ok', 422, 410, 'ok'])
  t.notOk(res.data.results[1].review)
  t.match((await h.as('viewer')('GET', `/v1/claims/${ids[1]}`)).data, { status: 'unverified', reviewCount: 1 })
})

t.test('validation: 1..1000 items, strict fields, reviewer role', async (t) => {
  const h = await harness(t)
  const [id] = await claims(h, 1)
  const before = await dump(h.engine)
  t.equal((await h.as('reviewer')('POST', '/v1/reviews/bulk', { items: [] })).statusCode, 400)
  t.equal((await h.as('reviewer')('POST', '/v1/reviews/bulk', { items: Array(1001).fill(item(id as string)) })).statusCode, 400)
  const unknown = await h.as('reviewer')('POST', '/v1/reviews/bulk', { items: [item(id as string, { reviewer: 'x' })] })
  t.equal(unknown.statusCode, 400)
  t.match(unknown.data.errors, [{ path: '/items/0/reviewer' }])
  t.equal((await h.as('reviewer')('POST', '/v1/reviews/bulk', { items: [item(id as string, { expectedVersion: 0 })] })).statusCode, 400)
  t.equal((await h.as('viewer')('POST', '/v1/reviews/bulk', { items: [item(id as string)] })).statusCode, 403)
  t.equal((await h.as('reviewer')('POST', '/v1/reviews/bulk', { items: [item(id as string)] }, { 'idempotency-key': 'has space' })).statusCode, 400)
  t.same(await dump(h.engine), before)
  const thousand = await h.as('reviewer')('POST', '/v1/reviews/bulk', { atomic: false, items: Array(1000).fill(item(id as string, { verdict: 'unverified', evidence: [] })) })
  t.equal(thousand.data.applied, 1000, '1000 items are allowed (the same claim reviewed 1000 times)')
})

t.test('Idempotency-Key: replay, conflict, scope, failures not stored, expiry', async (t) => {
  const h = await harness(t)
  const ids = await claims(h, 2)
  const body = { items: [item(ids[0] as string)] }
  const key = { 'idempotency-key': 'batch-2026-11-25-0001' }
  const first = await h.as('reviewer')('POST', '/v1/reviews/bulk', body, key)
  t.equal(first.statusCode, 200)
  t.notOk(first.headers['idempotent-replayed'])
  const state = await dump(h.engine)
  const again = await h.as('reviewer')('POST', '/v1/reviews/bulk', body, key)
  t.equal(again.statusCode, 200)
  t.equal(again.headers['idempotent-replayed'], 'true')
  t.same(again.data, first.data, 'the stored response, byte for byte')
  t.same(await dump(h.engine), state, 'nothing applied again')

  const other = await h.as('reviewer')('POST', '/v1/reviews/bulk', { items: [item(ids[1] as string)] }, key)
  t.equal(other.statusCode, 409)
  t.same(await dump(h.engine), state)

  const otherCaller = await h.as('editor')('POST', '/v1/reviews/bulk', { items: [item(ids[1] as string)] }, key)
  t.equal(otherCaller.statusCode, 200, 'keys are scoped to the calling API key')

  const failing = { items: [item(ids[0] as string, { expectedVersion: 1 })] }
  const failKey = { 'idempotency-key': 'will-fail-then-be-fixed' }
  t.equal((await h.as('reviewer')('POST', '/v1/reviews/bulk', failing, failKey)).statusCode, 422)
  t.equal((await h.as('reviewer')('POST', '/v1/reviews/bulk', { items: [item(ids[0] as string, { expectedVersion: 2 })] }, failKey)).statusCode, 200,
    'a 422 applied nothing and was not stored: the fixed batch may use the same key')

  await query(h.engine, "UPDATE idempotency_keys SET expires_at = '2000-01-01T00:00:00.000Z'")
  const expired = await h.as('reviewer')('POST', '/v1/reviews/bulk', body, key)
  t.equal(expired.statusCode, 200)
  t.notOk(expired.headers['idempotent-replayed'], 'after 24 hours the key is free again')
})

t.test('concurrent requests with the same key over a real socket apply once', async (t) => {
  const h = await harness(t)
  const ids = await claims(h, 5)
  const base = await h.app.listen({ port: 0, host: '127.0.0.1' })
  const body = JSON.stringify({ items: ids.map((id) => item(id)) })
  const responses = await Promise.all(Array.from({ length: 20 }, async () => {
    const res = await fetch(`${base}/v1/reviews/bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.keys.reviewer}`, 'content-type': 'application/json', 'idempotency-key': 'same-for-all' },
      body
    })
    return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: await res.text() }
  }))
  t.ok(responses.every((r) => r.status === 200))
  t.equal(responses.filter((r) => r.replayed === null).length, 1, 'one applied')
  t.equal(new Set(responses.map((r) => r.body)).size, 1, 'all got the same response')
  t.equal((await h.as('viewer')('GET', '/v1/audit?action=claim.reviewed')).data.items.length, 5)
})

t.test('clientRef: a rerun in other batches, a day later, applies nothing twice', async (t) => {
  const h = await harness(t)
  const ids = await claims(h, 4)
  const items = ids.map((id, i) => item(id, { clientRef: `sheet-a:row-${i + 2}`, expectedVersion: 1 }))
  const first = await h.as('reviewer')('POST', '/v1/reviews/bulk', { atomic: false, items: items.slice(0, 2) }, { 'idempotency-key': 'batch-1' })
  t.match(first.data, { applied: 2, replayed: 0 })

  const before = await dump(h.engine)
  // The whole file again in one batch, under another key: rows 0-1 are replayed, rows 2-3 applied.
  const rerun = await h.as('reviewer')('POST', '/v1/reviews/bulk', { atomic: true, items }, { 'idempotency-key': 'whole-file' })
  t.equal(rerun.statusCode, 200)
  t.match(rerun.data, { applied: 2, replayed: 2 })
  t.same(rerun.data.results.map((r: { ok: boolean, replayed?: boolean }) => [r.ok, r.replayed ?? false]), [[true, true], [true, true], [true, false], [true, false]])
  t.same(rerun.data.results[0].review, first.data.results[0].review)
  t.equal((await dump(h.engine)).reviews?.length, (before.reviews?.length ?? 0) + 2)
  for (const id of ids) t.match((await h.as('viewer')('GET', `/v1/claims/${id}`)).data, { reviewCount: 1 }, 'each claim reviewed once')

  // An item whose reference was applied with other content fails alone (non-atomic) or fails the batch (atomic).
  const changed = { ...items[0], note: 'Edited after it was applied' }
  const mixed = await h.as('reviewer')('POST', '/v1/reviews/bulk', { atomic: false, items: [changed, items[1]] })
  t.match(mixed.data, { applied: 0, replayed: 1 })
  t.match(mixed.data.results[0], { ok: false, error: { status: 409, detail: /already applied/ } })
  const atomic = await h.as('reviewer')('POST', '/v1/reviews/bulk', { items: [changed, items[1]] })
  t.equal(atomic.statusCode, 422)
  t.match(atomic.data.errors, [{ index: 0, status: 409 }])

  // The same reference twice in one request: applied once, then replayed.
  const fresh = (await h.as('editor')('POST', '/v1/claims', claimInput({ text: 'Not reviewed yet' }))).data.id
  const twice = item(fresh, { clientRef: 'sheet-b:row-2' })
  t.match((await h.as('reviewer')('POST', '/v1/reviews/bulk', { items: [twice, twice] })).data, { applied: 1, replayed: 1 })
})
