import t, { type Test } from 'tap'
import { dump, harness, type Call, type Response } from './helpers.js'

const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const UNKNOWN_ID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'

/** Asserts an RFC 9457 problem body with every required member; returns the body. */
function problem (t: Test, res: Response, status: number, instance: string): any {
  t.equal(res.statusCode, status, `status ${status}`)
  t.match(res.headers['content-type'], /^application\/problem\+json/, 'problem+json')
  t.equal(res.data?.status, status, 'body status')
  t.match(res.data?.type, /^https?:\/\/\S+$/, 'type is a URI')
  t.type(res.data?.title, 'string', 'title')
  t.type(res.data?.detail, 'string', 'detail')
  t.equal(res.data?.instance, instance, 'instance')
  t.equal(res.data?.requestId, res.headers['x-request-id'], 'requestId echoes x-request-id')
  t.ok(typeof res.data?.requestId === 'string' && res.data.requestId.length > 0, 'requestId present')
  return res.data
}

/** Runs a request that must not change any table. */
async function unchanged (t: Test, engine: Parameters<typeof dump>[0], call: () => Promise<Response>): Promise<Response> {
  const before = await dump(engine)
  const res = await call()
  t.same(await dump(engine), before, 'database unchanged')
  return res
}

const paths = (res: Response) => (res.data?.errors ?? []).map((e: { path: string }) => e.path)

async function events (as: (role: string) => Call, id: string): Promise<any[]> {
  const res = await as('viewer')('GET', `/v1/audit?entityType=speaker&entityId=${id}`)
  if (res.statusCode !== 200) throw new Error(`audit feed answered ${res.statusCode}`)
  return res.data.items
}

t.test('create: 201 with Location, ETag, defaults, trimming, and a speaker.created event', async (t) => {
  const { as } = await harness(t)
  const me = (await as('editor')('GET', '/v1/me')).data
  const res = await as('editor')('POST', '/v1/speakers', { name: '  Nikol Pashinyan  ' }, { 'x-request-id': 'trace-create-1' })
  t.equal(res.statusCode, 201)
  t.match(res.headers['content-type'], /^application\/json/)
  const s = res.data
  t.match(s.id, UUID7)
  t.equal(res.headers.location, `/v1/speakers/${s.id}`)
  t.equal(res.headers.etag, '"1"')
  t.equal(res.headers['x-request-id'], 'trace-create-1')
  t.match(s.createdAt, TIME)
  t.equal(s.updatedAt, s.createdAt)
  t.same(s, { id: s.id, name: 'Nikol Pashinyan', kind: 'other', description: null, aliases: [], createdAt: s.createdAt, updatedAt: s.createdAt, version: 1 })

  const full = await as('editor')('POST', '/v1/speakers',
    { name: 'Ilham Aliyev', kind: 'person', description: '  President of Azerbaijan ', aliases: [' Aliyev ', 'President Aliyev'] })
  t.equal(full.statusCode, 201)
  t.equal(full.data.description, 'President of Azerbaijan')
  t.same(full.data.aliases, ['Aliyev', 'President Aliyev'])
  t.equal(full.data.kind, 'person')
  const blank = await as('editor')('POST', '/v1/speakers', { name: 'Blank description', description: '   ' })
  t.equal(blank.statusCode, 201)
  t.equal(blank.data.description, null, 'empty-after-trim description counts as missing')

  const [event, ...rest] = await events(as, s.id)
  t.same(rest, [], 'exactly one event')
  t.equal(event.action, 'speaker.created')
  t.equal(event.entityType, 'speaker')
  t.equal(event.entityId, s.id)
  t.same(event.actor, { id: me.id, name: 'editor key', role: 'editor' })
  t.equal(event.requestId, 'trace-create-1')
  t.same(event.changes, {
    name: { from: null, to: 'Nikol Pashinyan' },
    kind: { from: null, to: 'other' },
    description: { from: null, to: null },
    aliases: { from: null, to: [] }
  })

  const generated = await as('editor')('POST', '/v1/speakers', { name: 'Third' })
  t.match(generated.headers['x-request-id'], /\S/)
  t.equal((await events(as, generated.data.id))[0].requestId, generated.headers['x-request-id'])
})

t.test('create: invalid bodies are 400 and change nothing', async (t) => {
  const { as, engine } = await harness(t)
  const cases: Array<[string, unknown, string[]]> = [
    ['empty-after-trim name', { name: '   ' }, ['/name']],
    ['missing name', { kind: 'person' }, ['/name']],
    ['name over 200', { name: 'x'.repeat(201) }, ['/name']],
    ['21 aliases', { name: 'Many', aliases: Array.from({ length: 21 }, (_, i) => `alias ${i}`) }, ['/aliases']],
    ['unknown kind', { name: 'A', kind: 'alien' }, ['/kind']],
    ['description over 500', { name: 'A', description: 'd'.repeat(501) }, ['/description']],
    ['unknown field', { name: 'A', nickname: 'B' }, ['/nickname']]
  ]
  for (const [label, body, expected] of cases) {
    const res = await unchanged(t, engine, () => as('editor')('POST', '/v1/speakers', body))
    problem(t, res, 400, '/v1/speakers')
    t.same(paths(res), expected, label)
  }
  const malformed = await unchanged(t, engine, () =>
    as('editor')('POST', '/v1/speakers', '{"name": ', { 'content-type': 'application/json' }))
  problem(t, malformed, 400, '/v1/speakers')

  const longest = await as('editor')('POST', '/v1/speakers', { name: 'n'.repeat(200), aliases: Array.from({ length: 20 }, (_, i) => `a${i}`) })
  t.equal(longest.statusCode, 201, '200 characters and 20 aliases are allowed')
  t.equal(longest.data.aliases.length, 20)
})

t.test('names and aliases are unique case-insensitively across all speakers', async (t) => {
  const { as, engine } = await harness(t)
  const gov = (await as('editor')('POST', '/v1/speakers', { name: 'Government of Armenia', kind: 'government', aliases: ['Yerevan'] })).data
  const clashes: Array<[string, unknown]> = [
    ['same name, other case', { name: 'government of ARMENIA' }],
    ['name equal to an alias', { name: 'yerevan' }],
    ['alias equal to a name', { name: 'Armenian cabinet', aliases: ['GOVERNMENT OF ARMENIA'] }],
    ['alias equal to an alias', { name: 'Armenian cabinet', aliases: ['YEREVAN'] }]
  ]
  for (const [label, body] of clashes) {
    const res = await unchanged(t, engine, () => as('editor')('POST', '/v1/speakers', body))
    const p = problem(t, res, 409, '/v1/speakers')
    t.equal(p.existingId, gov.id, label)
  }

  const dedup = await as('editor')('POST', '/v1/speakers',
    { name: 'Ilham Aliyev', aliases: ['Aliyev', 'ALIYEV', ' aliyev ', 'ilham ALIYEV', 'President Aliyev'] })
  t.equal(dedup.statusCode, 201)
  t.same(dedup.data.aliases, ['Aliyev', 'President Aliyev'], 'repeats and own name dropped, first spelling kept')
})

t.test('get: ETag, If-None-Match and 404s', async (t) => {
  const { as } = await harness(t)
  const created = (await as('editor')('POST', '/v1/speakers', { name: 'Nikol Pashinyan', kind: 'person' })).data
  const got = await as('viewer')('GET', `/v1/speakers/${created.id}`)
  t.equal(got.statusCode, 200)
  t.equal(got.headers.etag, '"1"')
  t.same(got.data, created)

  const cached = await as('viewer')('GET', `/v1/speakers/${created.id}`, undefined, { 'if-none-match': '"1"' })
  t.equal(cached.statusCode, 304)
  t.equal(cached.body, '')
  const stale = await as('viewer')('GET', `/v1/speakers/${created.id}`, undefined, { 'if-none-match': '"7"' })
  t.equal(stale.statusCode, 200)
  t.same(stale.data, created)

  problem(t, await as('viewer')('GET', '/v1/speakers/not-a-uuid'), 404, '/v1/speakers/not-a-uuid')
  problem(t, await as('viewer')('GET', `/v1/speakers/${UNKNOWN_ID}`), 404, `/v1/speakers/${UNKNOWN_ID}`)
})

t.test('patch: changes, versions, If-Match, no-op and audit', async (t) => {
  const { as, engine } = await harness(t)
  const me = (await as('editor')('GET', '/v1/me')).data
  const s = (await as('editor')('POST', '/v1/speakers', { name: 'Nikol Pashinyan', kind: 'person', description: 'PM', aliases: ['Pashinyan'] })).data
  const url = `/v1/speakers/${s.id}`

  const res = await as('editor')('PATCH', url, { description: ' Prime Minister of Armenia ', aliases: ['Pashinyan', 'Nikol'] })
  t.equal(res.statusCode, 200)
  t.equal(res.headers.etag, '"2"')
  t.same(res.data, { ...s, description: 'Prime Minister of Armenia', aliases: ['Pashinyan', 'Nikol'], updatedAt: res.data.updatedAt, version: 2 })
  t.match(res.data.updatedAt, TIME)
  t.ok(res.data.updatedAt >= s.createdAt)
  t.same((await as('viewer')('GET', url)).data, res.data, 'GET shows the change')
  const updated = (await events(as, s.id))[1]
  t.equal(updated.action, 'speaker.updated')
  t.same(updated.actor, { id: me.id, name: 'editor key', role: 'editor' })
  t.equal(updated.requestId, res.headers['x-request-id'])
  t.same(updated.changes, {
    description: { from: 'PM', to: 'Prime Minister of Armenia' },
    aliases: { from: ['Pashinyan'], to: ['Pashinyan', 'Nikol'] }
  })

  const stale = await unchanged(t, engine, () => as('editor')('PATCH', url, { kind: 'government' }, { 'if-match': '"1"' }))
  t.equal(problem(t, stale, 412, url).currentVersion, 2)

  const matching = await as('editor')('PATCH', url, { kind: 'government' }, { 'if-match': '"2"' })
  t.equal(matching.statusCode, 200)
  t.equal(matching.headers.etag, '"3"')
  t.equal(matching.data.kind, 'government')
  t.equal(matching.data.version, 3)

  const noop = await unchanged(t, engine, () =>
    as('editor')('PATCH', url, { name: 'Nikol Pashinyan', kind: 'government', aliases: ['Pashinyan', 'Nikol', 'nikol'] }))
  t.equal(noop.statusCode, 200)
  t.equal(noop.headers.etag, '"3"')
  t.same(noop.data, matching.data, 'no-op leaves version and updatedAt')
  t.equal((await events(as, s.id)).length, 3, 'no event for a no-op')

  const cleared = await as('editor')('PATCH', url, { description: null })
  t.equal(cleared.data.description, null)
  t.same((await events(as, s.id))[3].changes, { description: { from: 'Prime Minister of Armenia', to: null } })

  for (const [body, expected] of [[{ name: '  ' }, ['/name']], [{ name: null }, ['/name']], [{ role: 'x' }, ['/role']]] as const) {
    const bad = await unchanged(t, engine, () => as('editor')('PATCH', url, body))
    problem(t, bad, 400, url)
    t.same(paths(bad), expected)
  }
  problem(t, await unchanged(t, engine, () => as('editor')('PATCH', `/v1/speakers/${UNKNOWN_ID}`, { kind: 'person' })), 404, `/v1/speakers/${UNKNOWN_ID}`)

  const renamed = await as('editor')('PATCH', url, { name: 'N. Pashinyan' })
  t.equal(renamed.statusCode, 200)
  t.equal((await as('editor')('POST', '/v1/speakers', { name: 'nikol pashinyan' })).statusCode, 201, 'the old name is free again')
})

t.test('patch: taking another speaker\'s name or alias is 409', async (t) => {
  const { as, engine } = await harness(t)
  const arm = (await as('editor')('POST', '/v1/speakers', { name: 'Armenia', aliases: ['Yerevan'] })).data
  const aze = (await as('editor')('POST', '/v1/speakers', { name: 'Azerbaijan', aliases: ['Baku'] })).data
  const url = `/v1/speakers/${aze.id}`
  for (const body of [{ aliases: ['Baku', 'armenia'] }, { aliases: ['YEREVAN'] }, { name: 'yerevan' }, { name: 'ARMENIA' }]) {
    const res = await unchanged(t, engine, () => as('editor')('PATCH', url, body))
    t.equal(problem(t, res, 409, url).existingId, arm.id, JSON.stringify(body))
  }
  const own = await as('editor')('PATCH', url, { aliases: ['Baku', 'AZERBAIJAN'] })
  t.equal(own.statusCode, 200)
  t.same(own.data.aliases, ['Baku'], 'own name dropped from aliases')
  t.equal(own.data.version, 1, 'so nothing changed')

  t.equal((await as('editor')('PATCH', `/v1/speakers/${arm.id}`, { aliases: [] })).statusCode, 200)
  const taken = await as('editor')('PATCH', url, { aliases: ['Baku', 'Yerevan'] })
  t.equal(taken.statusCode, 200, 'a dropped alias is free again')
  t.same(taken.data.aliases, ['Baku', 'Yerevan'])
})

t.test('delete: 204, then 404, with a speaker.deleted event; stale If-Match is 412', async (t) => {
  const { as, engine } = await harness(t)
  const me = (await as('editor')('GET', '/v1/me')).data
  const s = (await as('editor')('POST', '/v1/speakers', { name: 'Gone Soon', aliases: ['GS'] })).data
  const url = `/v1/speakers/${s.id}`
  problem(t, await unchanged(t, engine, () => as('editor')('DELETE', url, undefined, { 'if-match': '"5"' })), 412, url)
  const res = await as('editor')('DELETE', url)
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  problem(t, await as('viewer')('GET', url), 404, url)
  problem(t, await unchanged(t, engine, () => as('editor')('DELETE', url)), 404, url)
  const last = (await events(as, s.id)).at(-1)
  t.equal(last.action, 'speaker.deleted')
  t.same(last.actor, { id: me.id, name: 'editor key', role: 'editor' })
  t.equal(last.requestId, res.headers['x-request-id'])
  t.same(last.changes, {
    name: { from: 'Gone Soon', to: null },
    kind: { from: 'other', to: null },
    description: { from: null, to: null },
    aliases: { from: ['GS'], to: null }
  })
  t.equal((await as('editor')('POST', '/v1/speakers', { name: 'gs' })).statusCode, 201, 'its names are free again')
})

t.test('delete: a speaker a claim names is 409, even after the claim is deleted', async (t) => {
  const { as, engine } = await harness(t)
  const s = (await as('editor')('POST', '/v1/speakers', { name: 'Nikol Pashinyan' })).data
  const src = (await as('editor')('POST', '/v1/sources', { title: 'Armenia calls on volunteers' })).data
  const claim = await as('editor')('POST', '/v1/claims', { text: 'There is no diplomatic solution.', speakerId: s.id, sourceId: src.id, claimedAt: '2020-10-21' })
  t.equal(claim.statusCode, 201)
  const url = `/v1/speakers/${s.id}`
  problem(t, await unchanged(t, engine, () => as('editor')('DELETE', url)), 409, url)
  t.equal((await as('editor')('DELETE', `/v1/claims/${claim.data.id}`)).statusCode, 204)
  problem(t, await unchanged(t, engine, () => as('editor')('DELETE', url)), 409, url)
  t.equal((await as('viewer')('GET', url)).statusCode, 200)
})

t.test('list: keyset pagination, Link header and query validation', async (t) => {
  const { as, engine } = await harness(t)
  const names = ['S1', 'S2', 'S3', 'S4', 'S5']
  const ids: string[] = []
  for (const name of names) ids.push((await as('editor')('POST', '/v1/speakers', { name })).data.id)

  const seen: string[] = []
  let url: string | null = '/v1/speakers?limit=2'
  const sizes: number[] = []
  while (url !== null) {
    const res: Response = await as('viewer')('GET', url)
    t.equal(res.statusCode, 200)
    seen.push(...res.data.items.map((s: { id: string }) => s.id))
    sizes.push(res.data.items.length)
    if (res.data.nextCursor === null) {
      t.equal(res.headers.link, undefined, 'no Link on the last page')
      url = null
    } else {
      t.type(res.data.nextCursor, 'string')
      const link = String(res.headers.link)
      t.match(link, /^<[^>]+>; rel="next"$/)
      const target = new URL(link.slice(1, link.indexOf('>')), 'http://x')
      t.equal(target.pathname, '/v1/speakers')
      t.equal(target.searchParams.get('limit'), '2')
      t.equal(target.searchParams.get('cursor'), res.data.nextCursor)
      url = `/v1/speakers?limit=2&cursor=${encodeURIComponent(res.data.nextCursor)}`
    }
  }
  t.same(seen, ids, 'all five, once each, in creation order')
  t.same(sizes, [2, 2, 1])
  const all = await as('viewer')('GET', '/v1/speakers')
  t.same(all.data.items.map((s: { name: string }) => s.name), names)
  t.equal(all.data.nextCursor, null)

  const otherSort = Buffer.from(JSON.stringify({ s: 'seq', v: [1] })).toString('base64url')
  for (const query of ['cursor=garbage', `cursor=${otherSort}`, 'limit=0', 'limit=201', 'limit=two', 'sort=name']) {
    const res = await unchanged(t, engine, () => as('viewer')('GET', `/v1/speakers?${query}`))
    problem(t, res, 400, '/v1/speakers')
  }
  t.same(paths(await as('viewer')('GET', '/v1/speakers?sort=name')), ['/sort'])
  t.equal((await as('viewer')('GET', '/v1/speakers?limit=200')).statusCode, 200)
})

t.test('list: q matches a name or alias prefix, case-insensitively', async (t) => {
  const { as } = await harness(t)
  for (const body of [
    { name: 'Nikol Pashinyan', aliases: ['Pashinyan', 'Pashinyan N.'] },
    { name: 'Ilham Aliyev', aliases: ['President Aliyev'] },
    { name: 'Government of Armenia', aliases: ['Yerevan'] },
    { name: 'Armen Sarkissian' }
  ]) t.equal((await as('editor')('POST', '/v1/speakers', body)).statusCode, 201)
  const names = async (q: string) => {
    const res = await as('viewer')('GET', `/v1/speakers?q=${encodeURIComponent(q)}`)
    t.equal(res.statusCode, 200)
    return res.data.items.map((s: { name: string }) => s.name)
  }
  t.same(await names('nik'), ['Nikol Pashinyan'])
  t.same(await names('PASH'), ['Nikol Pashinyan'], 'alias match, speaker listed once')
  t.same(await names('pres'), ['Ilham Aliyev'])
  t.same(await names('yErEvAn'), ['Government of Armenia'])
  t.same(await names('arm'), ['Armen Sarkissian'], 'prefix, not substring')
  t.same(await names('aliyev'), [])
  t.same(await names('p'), ['Nikol Pashinyan', 'Ilham Aliyev'])

  const first = await as('viewer')('GET', '/v1/speakers?q=p&limit=1')
  t.same(first.data.items.map((s: { name: string }) => s.name), ['Nikol Pashinyan'])
  t.match(first.headers.link, /[?&]q=p(&|>)/, 'Link keeps the filter')
  const second = await as('viewer')('GET', `/v1/speakers?q=p&limit=1&cursor=${first.data.nextCursor}`)
  t.same(second.data.items.map((s: { name: string }) => s.name), ['Ilham Aliyev'])
  t.equal(second.data.nextCursor, null)
})

t.test('roles: viewer reads, editor and admin write, others are refused', async (t) => {
  const { as, engine } = await harness(t)
  const s = (await as('editor')('POST', '/v1/speakers', { name: 'Existing' })).data
  const url = `/v1/speakers/${s.id}`
  t.equal((await as('viewer')('GET', '/v1/speakers')).statusCode, 200)
  t.equal((await as('viewer')('GET', url)).statusCode, 200)
  for (const role of ['viewer', 'reviewer']) {
    problem(t, await unchanged(t, engine, () => as(role)('POST', '/v1/speakers', { name: 'New' })), 403, '/v1/speakers')
    problem(t, await unchanged(t, engine, () => as(role)('PATCH', url, { kind: 'person' })), 403, url)
    problem(t, await unchanged(t, engine, () => as(role)('DELETE', url)), 403, url)
  }
  for (const who of ['none', 'not-a-real-key']) {
    for (const [method, path] of [['GET', '/v1/speakers'], ['POST', '/v1/speakers'], ['GET', url], ['DELETE', url]] as const) {
      const res = await unchanged(t, engine, () => as(who)(method, path, method === 'POST' ? { name: 'New' } : undefined))
      problem(t, res, 401, path)
      t.match(res.headers['www-authenticate'], /^Bearer/)
    }
  }
  t.equal((await as('admin')('POST', '/v1/speakers', { name: 'By admin' })).statusCode, 201)
  const mine = (await as('admin')('GET', '/v1/me')).data
  const byAdmin = await as('viewer')('GET', '/v1/audit?action=speaker.created')
  t.same(byAdmin.data.items.at(-1).actor, { id: mine.id, name: mine.name, role: 'admin' })
})
