/**
 * The error contract (API.md "Conventions" and "Errors (RFC 9457)"): problem+json bodies,
 * request ids, trimming, Unicode round-trips, and "a failed write changes nothing".
 */
import t, { type Test } from 'tap'
import { claimInput, dump, harness, type Call, type Response } from './helpers.js'

const JSON_CT = { 'content-type': 'application/json' }
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** No stack trace, SQL or file path anywhere in the raw body. */
function noLeak (t: Test, res: Response) {
  const text = res.body
  t.notMatch(text, /(^|\\n|\n)\s*at \S/, 'no stack-trace lines')
  t.notOk(text.includes('.ts:'), 'no source locations')
  t.notOk(text.includes('node_modules'), 'no node_modules path')
  t.notMatch(text, /\bSELECT\b|\bINSERT\b|\bUPDATE\b|sqlite/i, 'no SQL')
  t.notOk(text.includes('/work/'), 'no file path')
}

/** An RFC 9457 problem with the given status, for the request path `instance`. */
function problem (t: Test, res: Response, status: number, instance: string) {
  t.equal(res.statusCode, status, `status ${status} for ${instance}`)
  t.match(res.headers['content-type'], /^application\/problem\+json/, 'problem content-type')
  const body = (res.data ?? {}) as Record<string, unknown>
  t.match(body.type, /^https?:\/\/[^\s]+$/, 'type is a URI string')
  t.match(body.title, /\S/, 'title is a non-empty string')
  t.equal(body.status, status, 'status member equals the HTTP status')
  t.match(body.detail, /\S/, 'detail is a non-empty string')
  t.equal(body.instance, instance, 'instance is the path without query')
  t.match(res.headers['x-request-id'], /\S/, 'X-Request-Id is set')
  t.equal(body.requestId, res.headers['x-request-id'], 'requestId equals X-Request-Id')
  noLeak(t, res)
}

/** A 400 validation problem whose errors include each of `paths`. */
function invalid (t: Test, res: Response, instance: string, paths: string[]) {
  problem(t, res, 400, instance)
  t.match(res.data?.type, /\/problems\/validation$/)
  t.equal(res.data?.title, 'Invalid request')
  t.ok(Array.isArray(res.data?.errors), 'errors is an array')
  const errors = (res.data?.errors ?? []) as Array<{ path: unknown, message: unknown }>
  for (const e of errors) {
    t.match(e.path, /^(\/[^/]*)*$/, 'path is a JSON pointer')
    t.match(e.message, /\S/, 'message is a non-empty string')
  }
  for (const path of paths) t.ok(errors.some((e) => e.path === path), `errors include path ${path}`)
}

async function createClaim (call: Call, overrides: Record<string, unknown> = {}) {
  const res = await call('POST', '/v1/claims', claimInput(overrides))
  if (res.statusCode !== 201) throw new Error(`setup claim failed: ${res.statusCode} ${res.body}`)
  return res.data as { id: string, speakerId: string, sourceId: string, [k: string]: unknown }
}

t.test('1. malformed JSON → 400 problem', async (t) => {
  const { as, engine } = await harness(t)
  const before = await dump(engine)
  for (const body of ['{bad', '{"text": "a",}', '[1, 2', 'undefined']) {
    const res = await as('editor')('POST', '/v1/claims?x=1', body, JSON_CT)
    problem(t, res, 400, '/v1/claims')
    t.match(res.data?.detail, /JSON/)
    t.notOk(res.body.includes('Unexpected token'), 'no raw parser message')
  }
  t.same(await dump(engine), before)
})

t.test('2. schema violations → 400 with JSON-pointer errors', async (t) => {
  const { as, engine } = await harness(t)
  const ed = as('editor')
  const before = await dump(engine)

  const future = await ed('POST', '/v1/claims', claimInput({ claimedAt: '2999-01-01' }))
  invalid(t, future, '/v1/claims', ['/claimedAt'])
  t.same(future.data?.errors, [{ path: '/claimedAt', message: future.data?.errors?.[0]?.message }])
  t.match(future.data?.detail, /claimedAt/)

  for (const claimedAt of ['yesterday', '2020-13-45', 20201021]) {
    const res = await ed('POST', '/v1/claims', claimInput({ claimedAt }))
    invalid(t, res, '/v1/claims', ['/claimedAt'])
    t.match(res.data?.detail, /claimedAt/)
    t.equal(res.data?.errors?.length, 1, `one error for claimedAt ${claimedAt}, not a cascade`)
  }

  const many = await ed('POST', '/v1/claims', claimInput({ text: '', topics: ['Not A Slug'], language: 'not a tag!!', claimedAt: '2999-01-01' }))
  invalid(t, many, '/v1/claims', ['/text', '/topics/0', '/language', '/claimedAt'])
  t.equal(many.data?.errors?.length, 4, 'one error per violation')
  for (const field of ['text', 'topics', 'language', 'claimedAt']) t.match(many.data?.detail, new RegExp(field))

  const query = await ed('GET', '/v1/claims?claimedFrom=yesterday')
  invalid(t, query, '/v1/claims', ['/claimedFrom'])
  t.same(await dump(engine), before)
})

t.test('3. unknown body fields → 400 naming each', async (t) => {
  const { as, engine } = await harness(t)
  const ed = as('editor')
  const before = await dump(engine)
  const status = await ed('POST', '/v1/claims', claimInput({ status: 'corroborated' }))
  invalid(t, status, '/v1/claims', ['/status'])
  t.same(status.data?.errors, [{ path: '/status', message: status.data?.errors?.[0]?.message }])
  const foo = await ed('POST', '/v1/claims', claimInput({ foo: 1 }))
  invalid(t, foo, '/v1/claims', ['/foo'])
  const both = await ed('POST', '/v1/claims', claimInput({ status: 'x', foo: 1 }))
  invalid(t, both, '/v1/claims', ['/status', '/foo'])
  t.equal(both.data?.errors?.length, 2)
  const nested = await ed('POST', '/v1/claims', claimInput({ speaker: { name: 'Someone', foo: 1 } }))
  invalid(t, nested, '/v1/claims', ['/speaker/foo'])
  t.same(await dump(engine), before)

  const claim = await createClaim(ed)
  const mid = await dump(engine)
  const patch = await ed('PATCH', `/v1/claims/${claim.id}`, { status: 'disputed' })
  invalid(t, patch, `/v1/claims/${claim.id}`, ['/status'])
  t.same(await dump(engine), mid)
})

t.test('4. bad query parameters and cursors → 400', async (t) => {
  const { as } = await harness(t)
  const ed = as('editor')
  invalid(t, await ed('GET', '/v1/claims?foo=1'), '/v1/claims', ['/foo'])
  for (const limit of ['0', '201', 'abc', '1.5', '-1']) {
    invalid(t, await ed('GET', `/v1/claims?limit=${limit}`), '/v1/claims', ['/limit'])
  }
  invalid(t, await ed('GET', '/v1/claims?sort=text'), '/v1/claims', ['/sort'])
  const wrongJson = Buffer.from('{"hello":1}').toString('base64url')
  const notJson = Buffer.from('not json at all').toString('base64url')
  for (const cursor of ['garbage', wrongJson, notJson]) {
    invalid(t, await ed('GET', `/v1/claims?cursor=${cursor}`), '/v1/claims', ['/cursor'])
  }

  await createClaim(ed, { text: 'First claim', claimedAt: '2020-10-20' })
  await createClaim(ed, { text: 'Second claim', claimedAt: '2020-10-21' })
  const page = await ed('GET', '/v1/claims?sort=-claimedAt&limit=1')
  t.equal(page.statusCode, 200)
  const cursor = page.data.nextCursor as string
  t.type(cursor, 'string')
  const same = await ed('GET', `/v1/claims?sort=-claimedAt&limit=1&cursor=${cursor}`)
  t.equal(same.statusCode, 200)
  t.equal(same.data.items[0]?.text, 'First claim')
  const other = await ed('GET', `/v1/claims?sort=claimedAt&limit=1&cursor=${cursor}`)
  invalid(t, other, '/v1/claims', ['/cursor'])
})

t.test('5. unknown routes → 404 problem', async (t) => {
  const { as } = await harness(t)
  problem(t, await as('viewer')('GET', '/v1/nope'), 404, '/v1/nope')
  problem(t, await as('none')('GET', '/v1/nope?x=1'), 404, '/v1/nope')
  problem(t, await as('none')('GET', '/nope'), 404, '/nope')
  problem(t, await as('editor')('POST', '/v1/nope', { a: 1 }), 404, '/v1/nope')
})

t.test('5b. a method a known path does not support → 405 problem with Allow, nothing written', async (t) => {
  const { as, engine } = await harness(t)
  const claim = await createClaim(as('editor'))
  const before = await dump(engine)
  const cases: Array<[string, string, string]> = [
    ['PUT', `/v1/claims/${claim.id}`, 'DELETE, GET, HEAD, PATCH'],
    ['DELETE', '/v1/claims', 'GET, HEAD, POST'],
    ['DELETE', '/v1/claims/', 'GET, HEAD, POST'],
    ['GET', '/v1/reviews/bulk', 'POST'],
    ['POST', `/v1/claims/${claim.id}/reviews/x`, 'GET, HEAD'],
    ['PATCH', '/health', 'GET, HEAD']
  ]
  for (const [method, url, allow] of cases) {
    const res = await as('none')(method as 'PUT', url, { a: 1 })
    problem(t, res, 405, url)
    t.equal(res.headers.allow, allow, `${method} ${url}: Allow lists what the path supports`)
    t.match(res.data?.type, /\/problems\/method-not-allowed$/)
  }
  t.strictSame(await dump(engine), before)
  problem(t, await as('none')('PUT', '/v1/claims/x/nothing'), 404, '/v1/claims/x/nothing')
})

t.test('6. body over 1 MiB → 413 problem, nothing written', async (t) => {
  const { as, engine } = await harness(t)
  const before = await dump(engine)
  const res = await as('editor')('POST', '/v1/claims', claimInput({ text: 'x'.repeat(1_100_000) }))
  problem(t, res, 413, '/v1/claims')
  t.ok(res.body.length < 2000, 'the body is not echoed back')
  t.equal(res.data.detail, 'The body is over this endpoint\'s 1 MiB limit; nothing was written', 'the detail names the limit')
  t.same(await dump(engine), before)
})

t.test('7. unsupported Content-Type → 415 problem, nothing written', async (t) => {
  const { as, engine } = await harness(t)
  const ed = as('editor')
  const before = await dump(engine)
  const body = JSON.stringify(claimInput())
  for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
    const res = await ed('POST', '/v1/claims', body, { 'content-type': type })
    problem(t, res, 415, '/v1/claims')
    t.same(await dump(engine), before, `nothing written for ${type}`)
  }
  const ok = await ed('POST', '/v1/claims', body, { 'content-type': 'application/json; charset=utf-8' })
  t.equal(ok.statusCode, 201, 'application/json with a charset is accepted')
})

t.test('8. X-Request-Id on every response, echoed when valid, recorded in audit', async (t) => {
  const { as } = await harness(t)
  const ed = as('editor')
  const responses = [
    await as('none')('GET', '/health'),
    await ed('POST', '/v1/claims', claimInput()),
    await ed('POST', '/v1/claims', '{bad', JSON_CT),
    await ed('GET', '/v1/nope'),
    await as('none')('GET', '/v1/claims')
  ]
  t.same(responses.map((r) => r.statusCode), [200, 201, 400, 404, 401])
  for (const r of responses) t.match(r.headers['x-request-id'], UUID, `new id on ${r.statusCode}`)
  t.equal(new Set(responses.map((r) => r.headers['x-request-id'])).size, responses.length, 'ids are unique')
  problem(t, responses[4] as Response, 401, '/v1/claims')
  t.match(responses[4]?.headers['www-authenticate'], /^Bearer/)

  const trace = { 'x-request-id': 'my-trace-123' }
  const created = await ed('POST', '/v1/claims', claimInput({ text: 'Traced claim' }), trace)
  t.equal(created.statusCode, 201)
  t.equal(created.headers['x-request-id'], 'my-trace-123')
  const failed = await ed('POST', '/v1/claims', claimInput({ foo: 1 }), trace)
  invalid(t, failed, '/v1/claims', ['/foo'])
  t.equal(failed.data?.requestId, 'my-trace-123')
  const missing = await ed('GET', '/v1/nope', undefined, trace)
  t.equal(missing.data?.requestId, 'my-trace-123')
  t.equal(missing.headers['x-request-id'], 'my-trace-123')

  const audit = await as('viewer')('GET', '/v1/audit?entityType=claim')
  t.equal(audit.statusCode, 200)
  const events = (audit.data.items as Array<{ action: string, entityId: string, requestId: string }>)
    .filter((e) => e.entityId === created.data.id)
  t.same(events.map((e) => [e.action, e.requestId]), [['claim.created', 'my-trace-123']])

  const max = 'a'.repeat(128)
  t.equal((await as('none')('GET', '/health', undefined, { 'x-request-id': max })).headers['x-request-id'], max)
  for (const bad of ['a'.repeat(300), 'a'.repeat(129), 'has spaces in it', 'semi;colon', '']) {
    const res = await ed('POST', '/v1/claims', '{bad', { ...JSON_CT, 'x-request-id': bad })
    t.not(res.headers['x-request-id'], bad, `invalid id ${JSON.stringify(bad.slice(0, 20))} replaced`)
    t.match(res.headers['x-request-id'], UUID)
    t.equal(res.data?.requestId, res.headers['x-request-id'])
  }
})

t.test('9. strings are trimmed; empty-after-trim counts as missing', async (t) => {
  const { as, engine } = await harness(t)
  const ed = as('editor')
  const created = await ed('POST', '/v1/claims', claimInput({
    text: '  text  ',
    quote: '   ',
    context: '\t some context \n',
    speaker: { name: '  Trimmed Speaker  ', description: '   ' }
  }))
  t.equal(created.statusCode, 201)
  const got = await ed('GET', `/v1/claims/${created.data.id}`)
  for (const claim of [created.data, got.data]) {
    t.equal(claim.text, 'text')
    t.equal(claim.quote, null)
    t.equal(claim.context, 'some context')
    t.equal(claim.speaker.name, 'Trimmed Speaker')
  }
  const speaker = await ed('GET', `/v1/speakers/${created.data.speakerId}`)
  t.equal(speaker.data.name, 'Trimmed Speaker')
  t.equal(speaker.data.description, null)

  const before = await dump(engine)
  invalid(t, await ed('POST', '/v1/claims', claimInput({ text: '   ' })), '/v1/claims', ['/text'])
  invalid(t, await ed('POST', '/v1/claims', claimInput({ text: 'New claim', speaker: { name: ' \t ' } })),
    '/v1/claims', ['/speaker/name'])
  invalid(t, await ed('PATCH', `/v1/claims/${created.data.id}`, { text: '  ' }), `/v1/claims/${created.data.id}`, ['/text'])
  t.same(await dump(engine), before)
})

t.test('10. Unicode text round-trips byte-for-byte', async (t) => {
  const { as } = await harness(t)
  const ed = as('editor')
  const text = 'Emoji 👩‍👩‍👧‍👦 🇦🇲 🤷🏽‍♀️ | Arabic: لا يوجد حل دبلوماسي | Hebrew: אין פתרון דיפלומטי | ' +
    'combining: e\u0301 a\u0308 Z\u0324\u0354 (not NFC) | "double" \'single\' «guillemets» „low“ | ' +
    'back\\slash \\n \\u0041 | marks \u200f\u200e zero\u200bwidth | tab\tinside | line\nbreak | 𝕏 \uFEFF end'
  const quote = 'قال: "لا" — \\ אמר \u05D0\u05B8'
  const name = 'Նիկոլ Փաշինյան'
  const created = await ed('POST', '/v1/claims', claimInput({ text, quote, context: text, speaker: { name } }))
  t.equal(created.statusCode, 201)
  const got = await ed('GET', `/v1/claims/${created.data.id}`)
  t.equal(got.statusCode, 200)
  for (const claim of [created.data, got.data]) {
    t.ok(Buffer.from(claim.text, 'utf8').equals(Buffer.from(text, 'utf8')), 'text bytes identical')
    t.equal(claim.text, text)
    t.equal(claim.quote, quote)
    t.equal(claim.context, text)
    t.equal(claim.speaker.name, name)
  }
  t.ok(got.data.text.includes('e\u0301'), 'not normalised to NFC')
  t.ok(got.body.includes('👩‍👩‍👧‍👦'), 'emoji sent as UTF-8, not mangled')
})

t.test('11. ids that are not UUIDs → 404 on every single-resource route', async (t) => {
  const { as, engine } = await harness(t)
  const ed = as('editor')
  await createClaim(ed)
  const before = await dump(engine)
  const bodies: Record<string, object> = { claims: { text: 'Changed' }, speakers: { name: 'Changed' }, sources: { title: 'Changed' } }
  const ids = ['not-a-uuid', '12345', '01a21400-d19c-737d-83ba-1d1ff923795Z', '%27%20OR%201%3D1--']
  for (const resource of ['claims', 'speakers', 'sources']) {
    for (const id of ids) {
      const path = `/v1/${resource}/${id}`
      problem(t, await ed('GET', path), 404, path)
      problem(t, await ed('PATCH', path, bodies[resource]), 404, path)
      problem(t, await ed('DELETE', path), 404, path)
    }
  }
  t.same(await dump(engine), before)
})

t.test('12. __proto__ and constructor.prototype keys → 400, no pollution', async (t) => {
  const { as, engine } = await harness(t)
  const ed = as('editor')
  const claim = await createClaim(ed)
  const before = await dump(engine)
  const valid = JSON.stringify(claimInput({ text: 'Another claim' }))
  const bodies = [
    '{"text":"a","__proto__":{"polluted":true}}',
    valid.replace(/^\{/, '{"__proto__":{"polluted":true},'),
    valid.replace('"speaker":{', '"speaker":{"__proto__":{"polluted":true},'),
    '{"constructor":{"prototype":{"polluted":true}}}',
    valid.replace(/^\{/, '{"constructor":{"prototype":{"polluted":true}},')
  ]
  for (const body of bodies) {
    problem(t, await ed('POST', '/v1/claims', body, JSON_CT), 400, '/v1/claims')
    problem(t, await ed('PATCH', `/v1/claims/${claim.id}`, body, JSON_CT), 400, `/v1/claims/${claim.id}`)
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined)
  t.equal((Object.prototype as Record<string, unknown>).polluted, undefined)
  t.same(await dump(engine), before)
})

t.test('13. every failed write leaves the database exactly as it was', async (t) => {
  const { as, engine } = await harness(t)
  const ed = as('editor')
  const claim = await createClaim(ed)
  const path = `/v1/claims/${claim.id}`
  const cases: Array<[string, number, Parameters<Call>, string?]> = [
    ['malformed JSON', 400, ['POST', '/v1/claims', '{bad', JSON_CT]],
    ['schema violation', 400, ['POST', '/v1/claims', claimInput({ text: 'Other', topics: ['BAD'] })]],
    ['unknown field', 400, ['POST', '/v1/claims', claimInput({ text: 'Other', foo: 1 })]],
    ['too large', 413, ['POST', '/v1/claims', claimInput({ text: 'y'.repeat(1_100_000) })]],
    ['xml', 415, ['POST', '/v1/claims', '<claim/>', { 'content-type': 'application/xml' }]],
    ['duplicate', 409, ['POST', '/v1/claims', claimInput()]],
    ['unknown sourceId with a new inline speaker', 422,
      ['POST', '/v1/claims', claimInput({ text: 'Other', speaker: { name: 'Brand New Speaker' }, source: undefined, sourceId: '01a21400-0000-7000-8000-000000000000' })]],
    ['viewer may not write', 403, ['POST', '/v1/claims', claimInput({ text: 'Other' })], 'viewer'],
    ['no key', 401, ['POST', '/v1/claims', claimInput({ text: 'Other' })], 'none'],
    ['patch status', 400, ['PATCH', path, { status: 'disputed' }]],
    ['patch empty text', 400, ['PATCH', path, { text: '' }]],
    ['patch malformed', 400, ['PATCH', path, '{"text":', JSON_CT]],
    ['stale If-Match', 412, ['PATCH', path, { text: 'Changed' }, { 'if-match': '"7"' }]],
    ['delete unknown field', 400, ['DELETE', path, { foo: 1 }]],
    ['delete bad reason', 400, ['DELETE', path, { reason: 42 }]],
    ['stale If-Match delete', 412, ['DELETE', path, undefined, { 'if-match': '"7"' }]],
    ['speaker blank name', 400, ['POST', '/v1/speakers', { name: '   ' }]],
    ['source bad url', 400, ['POST', '/v1/sources', { title: 'A source', url: 'ftp://example.com/x' }]],
    ['speaker patch unknown field', 400, ['PATCH', `/v1/speakers/${claim.speakerId}`, { foo: 1 }]],
    ['source patch unknown field', 400, ['PATCH', `/v1/sources/${claim.sourceId}`, { foo: 1 }]]
  ]
  for (const [name, status, args, role] of cases) {
    const before = await dump(engine)
    const res = await as(role ?? 'editor')(...args)
    t.equal(res.statusCode, status, name)
    problem(t, res, status, args[1].split('?')[0] as string)
    t.same(await dump(engine), before, `${name}: database unchanged`)
  }
})

t.test('14. DELETE with an empty JSON body still works', async (t) => {
  const { as } = await harness(t)
  const ed = as('editor')
  const a = await createClaim(ed, { text: 'Claim A' })
  const b = await createClaim(ed, { text: 'Claim B' })
  const c = await createClaim(ed, { text: 'Claim C' })

  const empty = await ed('DELETE', `/v1/claims/${a.id}`, '', JSON_CT)
  t.equal(empty.statusCode, 204, 'empty body with content-type application/json')
  t.equal(empty.body, '')
  t.equal((await ed('GET', `/v1/claims/${a.id}`)).statusCode, 410)

  const none = await ed('DELETE', `/v1/claims/${b.id}`)
  t.equal(none.statusCode, 204, 'no body, no content-type')
  t.equal((await ed('GET', `/v1/claims/${b.id}`)).statusCode, 410)

  const reason = await ed('DELETE', `/v1/claims/${c.id}`, { reason: '  duplicate of another claim  ' })
  t.equal(reason.statusCode, 204, 'with a reason')
  t.equal((await ed('GET', `/v1/claims/${c.id}`)).statusCode, 410)
})

t.test('a malformed URL gets problem+json with a request id', async (t) => {
  const { as } = await harness(t)
  const res = await as('viewer')('GET', '/v1/claims/%E0%A4%A')
  t.equal(res.statusCode, 400)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.ok(res.headers['x-request-id'])
  t.equal(res.data.requestId, res.headers['x-request-id'])
  t.notMatch(res.body, /FST_/)
})
