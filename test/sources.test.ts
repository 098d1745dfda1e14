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

/** The distinct field paths named in `errors` (one field may fail more than one check). */
const paths = (res: Response) => [...new Set((res.data?.errors ?? []).map((e: { path: string }) => e.path))]
const titles = (res: Response) => res.data.items.map((s: { title: string }) => s.title)

async function events (as: (role: string) => Call, id: string): Promise<any[]> {
  const res = await as('viewer')('GET', `/v1/audit?entityType=source&entityId=${id}`)
  if (res.statusCode !== 200) throw new Error(`audit feed answered ${res.statusCode}`)
  return res.data.items
}

t.test('create: 201 with Location, ETag, defaults, trimming, and a source.created event', async (t) => {
  const { as } = await harness(t)
  const me = (await as('editor')('GET', '/v1/me')).data
  const res = await as('editor')('POST', '/v1/sources', { title: '  Armenia calls on volunteers ' })
  t.equal(res.statusCode, 201)
  t.match(res.headers['content-type'], /^application\/json/)
  const s = res.data
  t.match(s.id, UUID7)
  t.equal(res.headers.location, `/v1/sources/${s.id}`)
  t.equal(res.headers.etag, '"1"')
  t.match(s.createdAt, TIME)
  t.same(s, { id: s.id, title: 'Armenia calls on volunteers', publisher: null, url: null, kind: 'article', publishedAt: null, createdAt: s.createdAt, updatedAt: s.createdAt, version: 1 })

  const full = await as('editor')('POST', '/v1/sources', {
    title: 'Evening news', publisher: ' Mail Online ', url: ' https://example.com/article ', kind: 'broadcast', publishedAt: '2020-10-21'
  })
  t.equal(full.statusCode, 201)
  const { id: _id, createdAt: _c, updatedAt: _u, ...fields } = full.data
  t.same(fields, { title: 'Evening news', publisher: 'Mail Online', url: 'https://example.com/article', kind: 'broadcast', publishedAt: '2020-10-21', version: 1 })
  const blank = await as('editor')('POST', '/v1/sources', { title: 'Blank extras', publisher: '   ' })
  t.equal(blank.statusCode, 201)
  t.equal(blank.data.publisher, null, 'empty-after-trim publisher counts as missing')

  const [event, ...rest] = await events(as, full.data.id)
  t.same(rest, [], 'exactly one event')
  t.equal(event.action, 'source.created')
  t.equal(event.entityType, 'source')
  t.equal(event.entityId, full.data.id)
  t.same(event.actor, { id: me.id, name: 'editor key', role: 'editor' })
  t.equal(event.requestId, full.headers['x-request-id'])
  t.same(event.changes, {
    title: { from: null, to: 'Evening news' },
    publisher: { from: null, to: 'Mail Online' },
    url: { from: null, to: 'https://example.com/article' },
    kind: { from: null, to: 'broadcast' },
    publishedAt: { from: null, to: '2020-10-21' }
  })
})

t.test('create: an empty-after-trim url or publishedAt counts as missing (API.md Conventions)', async (t) => {
  const { as } = await harness(t)
  const url = await as('editor')('POST', '/v1/sources', { title: 'No link', url: '   ' })
  t.equal(url.statusCode, 201, 'url "   " is missing, not invalid')
  t.equal(url.data?.url, null)
  const date = await as('editor')('POST', '/v1/sources', { title: 'No date', publishedAt: '  ' })
  t.equal(date.statusCode, 201, 'publishedAt "  " is missing, not invalid')
  t.equal(date.data?.publishedAt, null)
})

t.test('create: invalid bodies are 400 and change nothing', async (t) => {
  const { as, engine } = await harness(t)
  const cases: Array<[string, unknown, string[]]> = [
    ['empty-after-trim title', { title: '  ' }, ['/title']],
    ['missing title', { publisher: 'X' }, ['/title']],
    ['title over 500', { title: 't'.repeat(501) }, ['/title']],
    ['publisher over 200', { title: 'T', publisher: 'p'.repeat(201) }, ['/publisher']],
    ['ftp url', { title: 'T', url: 'ftp://example.com/file' }, ['/url']],
    ['not a url', { title: 'T', url: 'not a url' }, ['/url']],
    ['javascript url', { title: 'T', url: 'javascript:alert(1)' }, ['/url']],
    ['unknown kind', { title: 'T', kind: 'blog' }, ['/kind']],
    ['impossible date', { title: 'T', publishedAt: '2020-02-30' }, ['/publishedAt']],
    ['month 13', { title: 'T', publishedAt: '2020-13-01' }, ['/publishedAt']],
    ['not ISO', { title: 'T', publishedAt: '21/10/2020' }, ['/publishedAt']],
    ['a time, not a date', { title: 'T', publishedAt: '2020-10-21T10:00:00Z' }, ['/publishedAt']],
    ['unknown field', { title: 'T', author: 'A' }, ['/author']]
  ]
  for (const [label, body, expected] of cases) {
    const res = await unchanged(t, engine, () => as('editor')('POST', '/v1/sources', body))
    problem(t, res, 400, '/v1/sources')
    t.same(paths(res), expected, label)
  }
  const ok = await as('editor')('POST', '/v1/sources', { title: 't'.repeat(500), publishedAt: '2020-02-29', url: 'http://example.com' })
  t.equal(ok.statusCode, 201, '500-character title, leap day and http URL are fine')
  t.equal(ok.data.publishedAt, '2020-02-29')
})

t.test('urls are unique; sources without url are not', async (t) => {
  const { as, engine } = await harness(t)
  const a = (await as('editor')('POST', '/v1/sources', { title: 'A', url: 'https://example.com/a' })).data
  const dup = await unchanged(t, engine, () => as('editor')('POST', '/v1/sources', { title: 'Another title', url: '  https://example.com/a ' }))
  t.equal(problem(t, dup, 409, '/v1/sources').existingId, a.id)

  const n1 = await as('editor')('POST', '/v1/sources', { title: 'No url one' })
  const n2 = await as('editor')('POST', '/v1/sources', { title: 'No url two', url: null })
  t.equal(n1.statusCode, 201)
  t.equal(n2.statusCode, 201)
  t.equal(n2.data.url, null)

  const b = (await as('editor')('POST', '/v1/sources', { title: 'B', url: 'https://example.com/b' })).data
  const burl = `/v1/sources/${b.id}`
  const taken = await unchanged(t, engine, () => as('editor')('PATCH', burl, { url: 'https://example.com/a' }))
  t.equal(problem(t, taken, 409, burl).existingId, a.id)
  const n1url = `/v1/sources/${n1.data.id}`
  t.equal(problem(t, await unchanged(t, engine, () => as('editor')('PATCH', n1url, { url: 'https://example.com/b' })), 409, n1url).existingId, b.id)

  const same = await unchanged(t, engine, () => as('editor')('PATCH', `/v1/sources/${a.id}`, { url: 'https://example.com/a' }))
  t.equal(same.statusCode, 200, 'its own url is no conflict')
  t.equal(same.data.version, 1)

  const cleared = await as('editor')('PATCH', `/v1/sources/${a.id}`, { url: null })
  t.equal(cleared.statusCode, 200)
  t.equal(cleared.data.url, null)
  const moved = await as('editor')('PATCH', burl, { url: 'https://example.com/a' })
  t.equal(moved.statusCode, 200, 'a cleared url is free again')
  t.equal(moved.data.url, 'https://example.com/a')
})

t.test('get: ETag, If-None-Match and 404s', async (t) => {
  const { as } = await harness(t)
  const created = (await as('editor')('POST', '/v1/sources', { title: 'Report', kind: 'report' })).data
  const url = `/v1/sources/${created.id}`
  const got = await as('viewer')('GET', url)
  t.equal(got.statusCode, 200)
  t.equal(got.headers.etag, '"1"')
  t.same(got.data, created)
  const cached = await as('viewer')('GET', url, undefined, { 'if-none-match': '"1"' })
  t.equal(cached.statusCode, 304)
  t.equal(cached.body, '')
  const other = await as('viewer')('GET', url, undefined, { 'if-none-match': '"2"' })
  t.equal(other.statusCode, 200)
  t.same(other.data, created)
  problem(t, await as('viewer')('GET', '/v1/sources/123'), 404, '/v1/sources/123')
  problem(t, await as('viewer')('GET', `/v1/sources/${UNKNOWN_ID}`), 404, `/v1/sources/${UNKNOWN_ID}`)
})

t.test('patch: changes, null clears, If-Match, no-op and audit', async (t) => {
  const { as, engine } = await harness(t)
  const me = (await as('editor')('GET', '/v1/me')).data
  const s = (await as('editor')('POST', '/v1/sources', { title: 'Old title', publisher: 'Mail Online', publishedAt: '2020-10-21' })).data
  const url = `/v1/sources/${s.id}`

  const res = await as('editor')('PATCH', url, { title: ' New title ', publisher: null })
  t.equal(res.statusCode, 200)
  t.equal(res.headers.etag, '"2"')
  t.same(res.data, { ...s, title: 'New title', publisher: null, updatedAt: res.data.updatedAt, version: 2 })
  t.ok(res.data.updatedAt >= s.createdAt)
  t.same((await as('viewer')('GET', url)).data, res.data)
  const ev = (await events(as, s.id))[1]
  t.equal(ev.action, 'source.updated')
  t.same(ev.actor, { id: me.id, name: 'editor key', role: 'editor' })
  t.equal(ev.requestId, res.headers['x-request-id'])
  t.same(ev.changes, { title: { from: 'Old title', to: 'New title' }, publisher: { from: 'Mail Online', to: null } })

  const stale = await unchanged(t, engine, () => as('editor')('PATCH', url, { kind: 'report' }, { 'if-match': '"1"' }))
  t.equal(problem(t, stale, 412, url).currentVersion, 2)
  const matching = await as('editor')('PATCH', url, { kind: 'report', publishedAt: null }, { 'if-match': '"2"' })
  t.equal(matching.statusCode, 200)
  t.equal(matching.headers.etag, '"3"')
  t.equal(matching.data.kind, 'report')
  t.equal(matching.data.publishedAt, null)

  const noop = await unchanged(t, engine, () => as('editor')('PATCH', url, { title: 'New title', kind: 'report', publisher: null }))
  t.equal(noop.statusCode, 200)
  t.equal(noop.headers.etag, '"3"')
  t.same(noop.data, matching.data)
  t.equal((await events(as, s.id)).length, 3, 'no event for a no-op')

  for (const [body, expected] of [[{ publishedAt: '2021-02-29' }, ['/publishedAt']], [{ title: '' }, ['/title']],
    [{ url: 'ftp://example.com' }, ['/url']], [{ version: 9 }, ['/version']]] as const) {
    const bad = await unchanged(t, engine, () => as('editor')('PATCH', url, body))
    problem(t, bad, 400, url)
    t.same(paths(bad), expected)
  }
  problem(t, await unchanged(t, engine, () => as('editor')('PATCH', `/v1/sources/${UNKNOWN_ID}`, { kind: 'other' })), 404, `/v1/sources/${UNKNOWN_ID}`)
})

t.test('delete: unused is 204 with a source.deleted event; used is 409, even once the claim is deleted', async (t) => {
  const { as, engine } = await harness(t)
  const me = (await as('editor')('GET', '/v1/me')).data
  const unused = (await as('editor')('POST', '/v1/sources', { title: 'Unused', url: 'https://example.com/u' })).data
  const uurl = `/v1/sources/${unused.id}`
  problem(t, await unchanged(t, engine, () => as('editor')('DELETE', uurl, undefined, { 'if-match': '"4"' })), 412, uurl)
  const res = await as('editor')('DELETE', uurl)
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  problem(t, await as('viewer')('GET', uurl), 404, uurl)
  problem(t, await unchanged(t, engine, () => as('editor')('DELETE', uurl)), 404, uurl)
  const last = (await events(as, unused.id)).at(-1)
  t.equal(last.action, 'source.deleted')
  t.same(last.actor, { id: me.id, name: 'editor key', role: 'editor' })
  t.equal(last.requestId, res.headers['x-request-id'])
  t.same(last.changes, {
    title: { from: 'Unused', to: null },
    publisher: { from: null, to: null },
    url: { from: 'https://example.com/u', to: null },
    kind: { from: 'article', to: null },
    publishedAt: { from: null, to: null }
  })

  const speaker = (await as('editor')('POST', '/v1/speakers', { name: 'Nikol Pashinyan' })).data
  const used = (await as('editor')('POST', '/v1/sources', { title: 'Used' })).data
  const url = `/v1/sources/${used.id}`
  const claim = await as('editor')('POST', '/v1/claims', { text: 'A claim.', speakerId: speaker.id, sourceId: used.id, claimedAt: '2020-10-21' })
  t.equal(claim.statusCode, 201)
  problem(t, await unchanged(t, engine, () => as('editor')('DELETE', url)), 409, url)
  t.equal((await as('editor')('DELETE', `/v1/claims/${claim.data.id}`)).statusCode, 204)
  problem(t, await unchanged(t, engine, () => as('editor')('DELETE', url)), 409, url)
  t.equal((await as('viewer')('GET', url)).statusCode, 200)
})

t.test('list: pagination, q and publisher filters, query validation', async (t) => {
  const { as, engine } = await harness(t)
  const inputs = [
    { title: 'Armenia calls on volunteers', publisher: 'Mail Online' },
    { title: 'armistice talks stall', publisher: 'mail online' },
    { title: 'Baku responds', publisher: 'Reuters' },
    { title: 'Arms deal', publisher: 'Mail Online Extra' },
    { title: 'No publisher' }
  ]
  const ids: string[] = []
  for (const body of inputs) ids.push((await as('editor')('POST', '/v1/sources', body)).data.id)

  const seen: string[] = []
  const sizes: number[] = []
  let url: string | null = '/v1/sources?limit=2'
  while (url !== null) {
    const res: Response = await as('viewer')('GET', url)
    t.equal(res.statusCode, 200)
    seen.push(...res.data.items.map((s: { id: string }) => s.id))
    sizes.push(res.data.items.length)
    if (res.data.nextCursor === null) {
      t.equal(res.headers.link, undefined, 'no Link on the last page')
      url = null
    } else {
      const link = String(res.headers.link)
      t.match(link, /^<\/v1\/sources\?[^>]+>; rel="next"$/)
      url = link.slice(1, link.indexOf('>'))
      t.equal(new URL(url, 'http://x').searchParams.get('cursor'), res.data.nextCursor)
    }
  }
  t.same(seen, ids, 'all five, once each, in creation order')
  t.same(sizes, [2, 2, 1])

  const list = async (query: string) => {
    const res = await as('viewer')('GET', `/v1/sources?${query}`)
    t.equal(res.statusCode, 200, query)
    return titles(res)
  }
  t.same(await list('q=ARM'), ['Armenia calls on volunteers', 'armistice talks stall', 'Arms deal'])
  t.same(await list('q=armi'), ['armistice talks stall'])
  t.same(await list('q=deal'), [], 'prefix, not substring')
  t.same(await list('publisher=MAIL%20ONLINE'), ['Armenia calls on volunteers', 'armistice talks stall'], 'exact, not prefix')
  t.same(await list('publisher=reuters'), ['Baku responds'])
  t.same(await list('publisher=Mail'), [])
  t.same(await list('q=arms&publisher=mail%20online%20extra'), ['Arms deal'])
  t.same(await list('q=armenia&publisher=reuters'), [])

  const first = await as('viewer')('GET', '/v1/sources?q=arm&limit=2')
  t.same(titles(first), ['Armenia calls on volunteers', 'armistice talks stall'])
  t.match(first.headers.link, /[?&]q=arm(&|>)/, 'Link keeps the filter')
  const second = await as('viewer')('GET', `/v1/sources?q=arm&limit=2&cursor=${first.data.nextCursor}`)
  t.same(titles(second), ['Arms deal'])
  t.equal(second.data.nextCursor, null)

  const otherSort = Buffer.from(JSON.stringify({ s: 'seq', v: [1] })).toString('base64url')
  for (const query of ['cursor=nonsense', `cursor=${otherSort}`, 'limit=0', 'limit=201', 'limit=-1', 'title=Arm']) {
    problem(t, await unchanged(t, engine, () => as('viewer')('GET', `/v1/sources?${query}`)), 400, '/v1/sources')
  }
  t.same(await as('viewer')('GET', '/v1/sources?publisher=&q=').then((r) => r.data.items), (await as('viewer')('GET', '/v1/sources')).data.items, 'empty query values count as missing')
  t.same(paths(await as('viewer')('GET', '/v1/sources?title=Arm')), ['/title'])
  t.equal((await as('viewer')('GET', '/v1/sources?limit=200')).statusCode, 200)
})

t.test('roles: viewer reads, editor writes, others are refused', async (t) => {
  const { as, engine } = await harness(t)
  const s = (await as('editor')('POST', '/v1/sources', { title: 'Existing' })).data
  const url = `/v1/sources/${s.id}`
  t.equal((await as('viewer')('GET', '/v1/sources')).statusCode, 200)
  t.equal((await as('viewer')('GET', url)).statusCode, 200)
  for (const role of ['viewer', 'reviewer']) {
    problem(t, await unchanged(t, engine, () => as(role)('POST', '/v1/sources', { title: 'New' })), 403, '/v1/sources')
    problem(t, await unchanged(t, engine, () => as(role)('PATCH', url, { title: 'Changed' })), 403, url)
    problem(t, await unchanged(t, engine, () => as(role)('DELETE', url)), 403, url)
  }
  for (const [method, path] of [['GET', '/v1/sources'], ['POST', '/v1/sources'], ['PATCH', url], ['DELETE', url]] as const) {
    const res = await unchanged(t, engine, () => as('none')(method, path, method === 'GET' || method === 'DELETE' ? undefined : { title: 'New' }))
    problem(t, res, 401, path)
    t.match(res.headers['www-authenticate'], /^Bearer/)
  }
  t.equal((await as('editor')('PATCH', url, { title: 'Changed' })).statusCode, 200)
  t.equal((await as('editor')('DELETE', url)).statusCode, 204)
})
