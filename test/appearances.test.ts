/**
 * Appearances: where and when else a claim was made. Added to a live claim only, audited on it
 * (a new version, so ETags and `asOf` follow), listed in the order they appeared, and emitted in
 * ClaimReview as `appearance` and `firstAppearance`. A refused one writes nothing.
 */
import t, { type Test } from 'tap'
import { SEEDED, SEEDED_ARTICLE } from '../src/seeded.js'
import { loadSeeds } from '../src/seed.js'
import { dump, harness, type Harness } from './helpers.js'

const claim = SEEDED.claims.capturedGround
const url = `/v1/claims/${claim}/appearances`
const wire = (n: number) => ({ title: `Wire story ${n}`, publisher: 'Example Wire', kind: 'article', url: `https://wire.example/${n}` })

async function seeded (t: Test): Promise<Harness> {
  const h = await harness(t)
  await loadSeeds(h.app.services)
  return h
}

t.test('an appearance is recorded, audited on its claim (a new version), and listed in the order it appeared', async (t) => {
  const h = await seeded(t)
  const before = (await h.as('viewer')('GET', `/v1/claims/${claim}`))
  t.equal(before.headers.etag, '"1"')
  const later = await h.as('editor')('POST', url, { source: wire(1), appearedAt: '2020-10-25', speakerId: SEEDED.speakers.aliyev, quote: 'We took the ground.' })
  t.equal(later.statusCode, 201)
  t.match(later.data, {
    id: /^[0-9a-f-]{36}$/,
    claimId: claim,
    source: { title: 'Wire story 1', url: 'https://wire.example/1' },
    speaker: { id: SEEDED.speakers.aliyev, name: 'Ilham Aliyev' },
    appearedAt: '2020-10-25',
    url: null,
    quote: 'We took the ground.',
    createdAt: /^\d{4}-\d\d-\d\dT/
  })
  const earlier = await h.as('editor')('POST', url, { sourceId: later.data.source.id, appearedAt: '2020-10-22', url: 'https://wire.example/1#update' })
  t.match(earlier.data, { source: { id: later.data.source.id }, speaker: null, appearedAt: '2020-10-22', url: 'https://wire.example/1#update', quote: null })

  const now = await h.as('viewer')('GET', `/v1/claims/${claim}`)
  t.match([now.headers.etag, now.data.version], ['"3"', 3], 'each appearance is a new version of the claim')
  const history = (await h.as('viewer')('GET', `/v1/claims/${claim}/history`)).data.items.map((e: { action: string }) => e.action)
  t.same(history, ['claim.created', 'claim.appearance_added', 'claim.appearance_added'])
  const asOf = await h.as('viewer')('GET', `/v1/claims/${claim}?asOf=${encodeURIComponent(later.data.createdAt)}`)
  t.match(asOf.data, { version: 2, updatedAt: later.data.createdAt }, 'asOf counts the appearance as the change it is')
  t.equal((await h.as('admin')('GET', '/v1/audit/verify')).data.ok, true)

  const all = await h.as('viewer')('GET', url)
  t.same(all.data.items.map((a: { id: string }) => a.id), [earlier.data.id, later.data.id], 'oldest first')
  const first = await h.as('viewer')('GET', `${url}?limit=1`)
  t.same(first.data.items.map((a: { id: string }) => a.id), [earlier.data.id])
  t.match(first.headers.link, /rel="next"/)
  const second = await h.as('viewer')('GET', `${url}?limit=1&cursor=${first.data.nextCursor as string}`)
  t.same([second.data.items.map((a: { id: string }) => a.id), second.data.nextCursor], [[later.data.id], null])
})

t.test('ClaimReview lists every appearance, and the earliest as firstAppearance', async (t) => {
  const h = await seeded(t)
  await h.as('reviewer')('POST', `/v1/claims/${claim}/reviews`, { verdict: 'corroborated', note: 'Satellite images.', evidence: [{ url: 'https://example.org/sat', stance: 'supports' }] })
  const own = (await h.as('viewer')('GET', `/v1/claims/${claim}/claimreview`)).data.itemReviewed
  t.equal(own.appearance.length, 1)
  t.same(own.firstAppearance, own.appearance[0], 'no other appearance: the claim\'s own source')
  await h.as('editor')('POST', url, { source: wire(2), appearedAt: '2020-10-23' })
  await h.as('editor')('POST', url, { source: wire(3), appearedAt: '2020-10-19', speakerId: SEEDED.speakers.aliyev, quote: 'Ground is ours.' })
  const item = (await h.as('viewer')('GET', `/v1/claims/${claim}/claimreview`)).data.itemReviewed
  t.same(item.appearance.map((a: { headline: string }) => a.headline), [SEEDED_ARTICLE.title, 'Wire story 3', 'Wire story 2'], 'its own source, then in the order they appeared')
  t.same(item.firstAppearance, {
    '@type': 'CreativeWork', url: 'https://wire.example/3', headline: 'Wire story 3', datePublished: '2020-10-19', author: { '@type': 'Thing', name: 'Ilham Aliyev' }, text: 'Ground is ours.'
  }, 'an appearance before the claim\'s own date is the first')
})

t.test('refusals write nothing: unknown claim, deleted claim, unknown source or speaker, bad bodies; roles', async (t) => {
  const h = await seeded(t)
  const state = await dump(h.engine)
  t.equal((await h.as('editor')('POST', '/v1/claims/01754a62-f292-77ca-a5cc-000000000000/appearances', { source: wire(4), appearedAt: '2020-10-22' })).statusCode, 404)
  const unknown = await h.as('editor')('POST', url, { sourceId: '01754a62-f292-77ca-a5cc-000000000000', appearedAt: '2020-10-22' })
  t.match([unknown.statusCode, unknown.data.errors], [422, [{ path: '/sourceId' }]])
  const nobody = await h.as('editor')('POST', url, { source: wire(5), speakerId: '01754a62-f292-77ca-a5cc-000000000000', appearedAt: '2020-10-22' })
  t.match([nobody.statusCode, nobody.data.errors], [422, [{ path: '/speakerId' }]])
  for (const body of [{ appearedAt: '2020-10-22' }, { source: wire(6), sourceId: SEEDED.source.mailOnline, appearedAt: '2020-10-22' },
    { source: wire(7), appearedAt: '2999-01-01' }, { source: wire(8) }, { source: wire(9), appearedAt: '2020-10-22', extra: 1 }]) {
    t.equal((await h.as('editor')('POST', url, body)).statusCode, 400, JSON.stringify(body))
  }
  t.equal((await h.as('reviewer')('POST', url, { source: wire(10), appearedAt: '2020-10-22' })).statusCode, 403)
  t.same(await dump(h.engine), state, 'nothing was written, the inline sources of refused ones included')

  const added = await h.as('editor')('POST', url, { source: wire(11), appearedAt: '2020-10-22' })
  const del = await h.as('editor')('DELETE', `/v1/sources/${added.data.source.id as string}`)
  t.equal(del.statusCode, 409, 'a source an appearance cites cannot be deleted')
  t.equal((await h.as('editor')('DELETE', `/v1/claims/${claim}`)).statusCode, 204)
  t.equal((await h.as('editor')('POST', url, { source: wire(12), appearedAt: '2020-10-22' })).statusCode, 410, 'a deleted claim takes no appearance')
  t.equal((await h.as('viewer')('GET', url)).data.items.length, 1, 'its appearances stay listed, as its history does')
})

t.test('asOf lists the appearances recorded by then; before the claim existed, 404', async (t) => {
  const h = await seeded(t)
  const first = await h.as('editor')('POST', url, { source: wire(1), appearedAt: '2020-10-25' })
  const second = await h.as('editor')('POST', url, { source: wire(2), appearedAt: '2020-10-22' })
  const ids = async (query: string) => (await h.as('viewer')('GET', `${url}?${query}`)).data.items.map((a: { id: string }) => a.id)
  t.same(await ids(`asOf=${encodeURIComponent(first.data.createdAt)}`), [first.data.id], 'only the first was recorded then')
  t.same(await ids(`asOf=${encodeURIComponent(second.data.createdAt)}`), [second.data.id, first.data.id], 'both, in the order they appeared')
  const page = await h.as('viewer')('GET', `${url}?asOf=${encodeURIComponent(second.data.createdAt)}&limit=1`)
  t.match(page.headers.link, /asOf=/, 'the next page keeps asOf')
  const before = await h.as('viewer')('GET', `${url}?asOf=2001-01-01T00:00:00Z`)
  t.same([before.statusCode, before.headers['content-type']], [404, 'application/problem+json; charset=utf-8'])
  t.equal((await h.as('viewer')('GET', `${url}?asOf=yesterday`)).statusCode, 400)
})

t.test('an NDJSON export carries the appearances, and imports them into another store as they were', async (t) => {
  const h = await seeded(t)
  await h.as('editor')('POST', url, { source: wire(1), appearedAt: '2020-10-25', speakerId: SEEDED.speakers.aliyev, quote: 'We took the ground.' })
  await h.as('editor')('POST', url, { source: wire(2), appearedAt: '2020-10-22', url: 'https://wire.example/2#live' })
  const exported = await h.as('viewer')('GET', '/v1/claims/export?format=ndjson')
  const line = exported.body.split('\n').find((l: string) => l.includes(claim)) as string
  t.match(JSON.parse(line).appearances, [
    { source: { title: 'Wire story 2', publisher: 'Example Wire', url: 'https://wire.example/2', kind: 'article' }, speaker: null, appearedAt: '2020-10-22', url: 'https://wire.example/2#live', quote: null },
    { source: { title: 'Wire story 1' }, speaker: { name: 'Ilham Aliyev', kind: 'person' }, appearedAt: '2020-10-25', url: null, quote: 'We took the ground.' }
  ], 'oldest first, source and speaker inline')
  const csv = await h.as('viewer')('GET', '/v1/claims/export?format=csv')
  t.notMatch(csv.body.split('\n')[0], /appearances/, 'CSV has no room for them')

  const other = await harness(t)
  const imported = await other.as('editor')('POST', '/v1/claims/import', exported.body, { 'content-type': 'application/x-ndjson' })
  t.equal(imported.statusCode, 200)
  const copy = imported.data.results.find((r: { line: number }) => r.line === exported.body.split('\n').indexOf(line) + 1)
  const listed = (await other.as('viewer')('GET', `/v1/claims/${copy.id as string}/appearances`)).data.items
  t.match(listed, [
    { source: { title: 'Wire story 2', url: 'https://wire.example/2' }, speaker: null, appearedAt: '2020-10-22', url: 'https://wire.example/2#live' },
    { source: { title: 'Wire story 1' }, speaker: { name: 'Ilham Aliyev' }, appearedAt: '2020-10-25', quote: 'We took the ground.' }
  ])
  const history = (await other.as('viewer')('GET', `/v1/claims/${copy.id as string}/history`)).data.items.map((e: { action: string }) => e.action)
  t.same(history, ['claim.created', 'claim.appearance_added', 'claim.appearance_added'], 'audited on the claim')
  t.equal((await other.as('viewer')('GET', `/v1/claims/${copy.id as string}`)).data.version, 3)
  t.equal((await other.as('admin')('GET', '/v1/audit/verify')).data.ok, true)
})

t.test('an imported record whose appearance names nothing is refused whole: no claim, no appearance, no event', async (t) => {
  const h = await seeded(t)
  const before = await dump(h.engine)
  const unknown = '01754a62-f281-71aa-9bcd-000000000000'
  const record = (appearance: Record<string, unknown>) => ({
    text: 'A claim imported with where else it was made.', speaker: { name: 'Yerevan' }, sourceId: SEEDED.source.mailOnline, claimedAt: '2020-10-22', appearances: [appearance]
  })
  const res = await h.as('editor')('POST', '/v1/claims/import', {
    items: [
      record({ sourceId: unknown, appearedAt: '2020-10-23' }),
      record({ source: wire(3), speakerId: unknown, appearedAt: '2020-10-23' }),
      record({ appearedAt: '2020-10-23' }),
      record({ source: wire(3), sourceId: SEEDED.source.mailOnline, appearedAt: '2020-10-23' })
    ]
  })
  t.equal(res.statusCode, 200)
  t.match(res.data, { created: 0, failed: 4 })
  t.match(res.data.results, [
    { ok: false, error: { status: 422, errors: [{ path: '/appearances/0/sourceId' }] } },
    { ok: false, error: { status: 422, errors: [{ path: '/appearances/0/speakerId' }] } },
    { ok: false, error: { status: 400 } },
    { ok: false, error: { status: 400 } }
  ])
  t.same(await dump(h.engine), before, 'nothing written')
})
