import t from 'tap'
import { claimInput, dump, harness, withoutMatches } from './helpers.js'
import { query } from './support/engines.js'

t.test('create with inline speaker and source finds or creates them', async (t) => {
  const { as } = await harness(t)
  const res = await as('editor')('POST', '/v1/claims', claimInput())
  t.equal(res.statusCode, 201)
  t.equal(res.headers.location, `/v1/claims/${res.data.id}`)
  t.equal(res.headers.etag, '"1"')
  t.match(res.data, {
    text: 'There is no diplomatic solution to the conflict.',
    quote: null,
    speaker: { name: 'Nikol Pashinyan' },
    source: { title: 'Armenia calls on volunteers', url: 'https://example.com/article' },
    claimedAt: '2020-10-21',
    context: null,
    topics: ['nagorno-karabakh'],
    language: 'en',
    status: 'unverified',
    reviewCount: 0,
    lastReviewedAt: null,
    version: 1
  })
  t.equal(res.data.speaker.id, res.data.speakerId)
  t.equal(res.data.source.id, res.data.sourceId)
  t.match(res.data.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a UUID v7')
  t.match(res.data.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)

  // The same speaker by alias-insensitive name, and the same source by URL, are found, not duplicated.
  const second = await as('editor')('POST', '/v1/claims', claimInput({
    text: 'Another claim',
    speaker: { name: 'NIKOL  pashinyan' },
    source: { title: 'Different title, same URL', url: 'https://example.com/article' }
  }))
  t.equal(second.statusCode, 201)
  t.equal(second.data.speakerId, res.data.speakerId)
  t.equal(second.data.sourceId, res.data.sourceId)
  const speakers = await as('viewer')('GET', '/v1/speakers')
  t.equal(speakers.data.items.length, 1)

  // An alias finds its speaker too.
  await as('editor')('PATCH', `/v1/speakers/${res.data.speakerId}`, { aliases: ['Pashinyan'] })
  const third = await as('editor')('POST', '/v1/claims', claimInput({ text: 'Third', speaker: { name: 'pashinyan' } }))
  t.equal(third.data.speakerId, res.data.speakerId)

  // Without a URL a source is found by title + publisher, case-insensitively.
  const a = await as('editor')('POST', '/v1/claims', claimInput({ text: 'Fourth', source: { title: 'Press briefing', publisher: 'MFA' } }))
  const b = await as('editor')('POST', '/v1/claims', claimInput({ text: 'Fifth', source: { title: 'PRESS BRIEFING', publisher: 'mfa' } }))
  t.equal(a.data.sourceId, b.data.sourceId)

  // What a create answers is exactly what a read gives afterwards (stored names, not the input's spelling),
  // with the stored claims it may repeat beside it.
  for (const created of [res, second, third, a, b]) {
    t.strictSame((await as('viewer')('GET', `/v1/claims/${created.data.id}`)).data, withoutMatches(created.data))
  }
  t.equal(second.data.speaker.name, 'Nikol Pashinyan')
  t.equal(second.data.source.title, 'Armenia calls on volunteers')
})

t.test('create by ids; unknown ids are 422; either-or is enforced', async (t) => {
  const { as, engine } = await harness(t)
  const speaker = await as('editor')('POST', '/v1/speakers', { name: 'Ilham Aliyev', kind: 'person' })
  const source = await as('editor')('POST', '/v1/sources', { title: 'Mail Online article' })
  const ok = await as('editor')('POST', '/v1/claims', {
    text: 'A ceasefire only when Armenia withdraws.', speakerId: speaker.data.id, sourceId: source.data.id, claimedAt: '2020-10-21'
  })
  t.equal(ok.statusCode, 201)
  t.equal(ok.data.speaker.name, 'Ilham Aliyev')
  t.strictSame((await as('viewer')('GET', `/v1/claims/${ok.data.id}`)).data, withoutMatches(ok.data))

  const before = await dump(engine)
  const missing = await as('editor')('POST', '/v1/claims', {
    text: 'x', speakerId: '01890a5d-ac96-774b-bcce-b302099a8057', sourceId: source.data.id, claimedAt: '2020-10-21'
  })
  t.equal(missing.statusCode, 422)
  t.match(missing.data, { status: 422, errors: [{ path: '/speakerId' }] })
  const both = await as('editor')('POST', '/v1/claims', claimInput({ speakerId: speaker.data.id }))
  t.equal(both.statusCode, 400)
  t.match(both.data.errors, [{ path: '/speakerId' }])
  const neither = await as('editor')('POST', '/v1/claims', { text: 'x', claimedAt: '2020-10-21' })
  t.equal(neither.statusCode, 400)
  t.same(neither.data.errors.map((e: { path: string }) => e.path).sort(), ['/sourceId', '/speakerId'])
  t.same(await dump(engine), before, 'rejected creates change nothing')
})

t.test('field rules', async (t) => {
  const { as } = await harness(t)
  const tomorrowPlus = new Date(Date.now() + 3 * 86400_000).toISOString().slice(0, 10)
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['future date', { claimedAt: tomorrowPlus }, '/claimedAt'],
    ['impossible date', { claimedAt: '2020-02-30' }, '/claimedAt'],
    ['date-time instead of date', { claimedAt: '2020-10-21T10:00:00Z' }, '/claimedAt'],
    ['topic not a slug', { topics: ['Nagorno Karabakh'] }, '/topics/0'],
    ['too many topics', { topics: Array.from({ length: 21 }, (_, i) => `t${i}`) }, '/topics'],
    ['bad language', { language: 'not a tag!' }, '/language'],
    ['text too long', { text: 'x'.repeat(5001) }, '/text'],
    ['status is read-only', { status: 'disputed' }, '/status']
  ]
  for (const [name, patch, path] of cases) {
    const res = await as('editor')('POST', '/v1/claims', claimInput(patch))
    t.equal(res.statusCode, 400, name)
    t.ok(res.data.errors.some((e: { path: string }) => e.path === path), `${name}: error at ${path}`)
  }
  const canonical = await as('editor')('POST', '/v1/claims', claimInput({ language: 'en-gb', topics: ['a', 'a', 'b'] }))
  t.equal(canonical.data.language, 'en-GB')
  t.same(canonical.data.topics, ['a', 'b'])
})

t.test('duplicates: same speaker, date and folded text → 409 with existingId and Location', async (t) => {
  const { as, engine } = await harness(t)
  const first = await as('editor')('POST', '/v1/claims', claimInput({ text: 'Café   is OPEN' }))
  const before = await dump(engine)
  const dup = await as('editor')('POST', '/v1/claims', claimInput({ text: 'cafe\u0301 is open' }))
  t.equal(dup.statusCode, 409)
  t.equal(dup.data.existingId, first.data.id)
  t.equal(dup.headers.location, `/v1/claims/${first.data.id}`)
  t.same(await dump(engine), before)
  const otherDay = await as('editor')('POST', '/v1/claims', claimInput({ text: 'Café is open', claimedAt: '2020-10-20' }))
  t.equal(otherDay.statusCode, 201, 'another date is another claim')
  // A deleted claim no longer blocks its text.
  await as('editor')('DELETE', `/v1/claims/${first.data.id}`)
  const again = await as('editor')('POST', '/v1/claims', claimInput({ text: 'Café is open' }))
  t.equal(again.statusCode, 201)
  // An edit into a duplicate is refused too.
  const edit = await as('editor')('PATCH', `/v1/claims/${otherDay.data.id}`, { claimedAt: '2020-10-21' })
  t.equal(edit.statusCode, 409)
  t.equal(edit.data.existingId, again.data.id)
})

t.test('read with ETag and If-None-Match', async (t) => {
  const { as } = await harness(t)
  const created = await as('editor')('POST', '/v1/claims', claimInput())
  const url = `/v1/claims/${created.data.id}`
  const read = await as('viewer')('GET', url)
  t.equal(read.statusCode, 200)
  t.equal(read.headers.etag, '"1"')
  t.same(read.data, withoutMatches(created.data))
  const cached = await as('viewer')('GET', url, undefined, { 'if-none-match': '"1"' })
  t.equal(cached.statusCode, 304)
  t.equal(cached.body, '')
  const stale = await as('viewer')('GET', url, undefined, { 'if-none-match': '"0"' })
  t.equal(stale.statusCode, 200)
  t.equal((await as('viewer')('GET', '/v1/claims/not-a-uuid')).statusCode, 404)
  t.equal((await as('viewer')('GET', '/v1/claims/01890a5d-ac96-774b-bcce-b302099a8057')).statusCode, 404)
  t.equal((await as('viewer')('GET', `${url}?expand=speaker`)).statusCode, 400, 'unknown query parameters are rejected')
  t.equal((await as('viewer')('GET', '/v1/me?x=1')).statusCode, 400)
  t.equal((await as('viewer')('GET', url, undefined, { 'if-none-match': 'W/"1"' })).statusCode, 304, 'If-None-Match compares weakly')
})

t.test('update: fields, version, If-Match, no-op, and status stays read-only', async (t) => {
  const { as, engine } = await harness(t)
  const created = await as('editor')('POST', '/v1/claims', claimInput({ quote: 'no solution' }))
  const url = `/v1/claims/${created.data.id}`
  const other = await as('editor')('POST', '/v1/speakers', { name: 'Government of Armenia', kind: 'government', aliases: ['Yerevan'] })

  const updated = await as('editor')('PATCH', url, { text: 'Edited', quote: null, speakerId: other.data.id, topics: ['x'] }, { 'if-match': '"1"' })
  t.equal(updated.statusCode, 200)
  t.equal(updated.headers.etag, '"2"')
  t.match(updated.data, { text: 'Edited', quote: null, speakerId: other.data.id, speaker: { name: 'Government of Armenia' }, topics: ['x'], version: 2 })

  const before = await dump(engine)
  const stale = await as('editor')('PATCH', url, { text: 'Lost update' }, { 'if-match': '"1"' })
  t.equal(stale.statusCode, 412)
  t.equal(stale.data.currentVersion, 2)
  t.equal((await as('editor')('PATCH', url, { text: 'x' }, { 'if-match': 'garbage' })).statusCode, 412)
  t.equal((await as('editor')('PATCH', url, { status: 'corroborated' })).statusCode, 400)
  t.equal((await as('editor')('PATCH', url, { speakerId: '01890a5d-ac96-774b-bcce-b302099a8057' })).statusCode, 422)
  t.same(await dump(engine), before, 'refused updates change nothing')

  const noop = await as('editor')('PATCH', url, { text: 'Edited' })
  t.equal(noop.data.version, 2, 'a patch that changes nothing is not a new version')
  t.same(await dump(engine), before, 'and writes no audit event')

  // If-Match lists: any listed strong version matches; a weak tag never does (RFC 9110).
  t.equal((await as('editor')('PATCH', url, { context: 'a' }, { 'if-match': '"7", "2"' })).statusCode, 200)
  t.equal((await as('editor')('PATCH', url, { context: 'b' }, { 'if-match': 'W/"3"' })).statusCode, 412)
  t.equal((await as('editor')('PATCH', url, { context: 'b' }, { 'if-match': '"3"' })).statusCode, 200)

  const lastWriteWins = await as('editor')('PATCH', url, { context: 'Said on 21 October' })
  t.equal(lastWriteWins.data.version, 5)
  t.equal((await as('editor')('PATCH', url, { context: 'ok' }, { 'if-match': '*' })).statusCode, 200)
})

t.test('soft delete: 204, then 410 naming when and by whom, history kept', async (t) => {
  const { as } = await harness(t)
  const created = await as('editor')('POST', '/v1/claims', claimInput())
  const url = `/v1/claims/${created.data.id}`
  t.equal((await as('editor')('DELETE', url, { reason: 'x' }, { 'if-match': '"7"' })).statusCode, 412)
  const del = await as('editor')('DELETE', url, { reason: 'Misattributed' })
  t.equal(del.statusCode, 204)
  const read = await as('viewer')('GET', url)
  t.equal(read.statusCode, 410)
  t.match(read.data, { status: 410, deletedBy: { name: 'editor key' }, reason: 'Misattributed' })
  t.match(read.data.deletedAt, /Z$/)
  t.equal((await as('editor')('PATCH', url, { text: 'zombie' })).statusCode, 410)
  t.equal((await as('editor')('DELETE', url)).statusCode, 410)
  const list = await as('viewer')('GET', '/v1/claims')
  t.equal(list.data.items.length, 0, 'deleted claims are not listed')
  const history = await as('viewer')('GET', `${url}/history`)
  t.equal(history.statusCode, 200)
  t.same(history.data.items.map((e: { action: string }) => e.action), ['claim.created', 'claim.deleted'])
  t.same(history.data.items[1].changes.reason, { from: null, to: 'Misattributed' })
})

t.test('list: filters, sorts and keyset pagination', async (t) => {
  const { as, engine } = await harness(t)
  const dates = ['2020-10-19', '2020-10-21', '2020-10-20', '2020-10-21', '2020-09-27']
  const ids: string[] = []
  for (const [i, claimedAt] of dates.entries()) {
    const speaker = i % 2 === 0 ? { name: 'Nikol Pashinyan' } : { name: 'Ilham Aliyev' }
    const res = await as('editor')('POST', '/v1/claims', claimInput({ text: `Claim ${i}`, claimedAt, speaker, topics: i < 2 ? ['ceasefire'] : ['casualties'] }))
    ids.push(res.data.id)
  }
  const texts = (res: { data: { items: Array<{ text: string }> } }) => res.data.items.map((c) => c.text)

  const byDefault = await as('viewer')('GET', '/v1/claims')
  t.same(texts(byDefault), ['Claim 3', 'Claim 1', 'Claim 2', 'Claim 0', 'Claim 4'], '-claimedAt, ties by id descending')
  t.equal(byDefault.data.nextCursor, null)
  t.notOk(byDefault.headers.link)
  t.same(texts(await as('viewer')('GET', '/v1/claims?sort=claimedAt')), ['Claim 4', 'Claim 0', 'Claim 2', 'Claim 1', 'Claim 3'])
  t.same(texts(await as('viewer')('GET', '/v1/claims?sort=createdAt')), ['Claim 0', 'Claim 1', 'Claim 2', 'Claim 3', 'Claim 4'])
  t.same(texts(await as('viewer')('GET', '/v1/claims?sort=-createdAt')), ['Claim 4', 'Claim 3', 'Claim 2', 'Claim 1', 'Claim 0'])

  await as('editor')('PATCH', `/v1/claims/${ids[0]}`, { context: 'touched' })
  t.same(texts(await as('viewer')('GET', '/v1/claims?sort=-updatedAt')).slice(0, 1), ['Claim 0'])

  const speakerId = (await as('viewer')('GET', `/v1/claims/${ids[1]}`)).data.speakerId
  t.same(texts(await as('viewer')('GET', `/v1/claims?speakerId=${speakerId}`)), ['Claim 3', 'Claim 1'])
  t.same(texts(await as('viewer')('GET', '/v1/claims?topic=ceasefire&sort=createdAt')), ['Claim 0', 'Claim 1'])
  t.same(texts(await as('viewer')('GET', '/v1/claims?claimedFrom=2020-10-20&claimedTo=2020-10-20')), ['Claim 2'])
  t.same(texts(await as('viewer')('GET', '/v1/claims?status=unverified&claimedTo=2020-09-30')), ['Claim 4'])
  t.same(texts(await as('viewer')('GET', '/v1/claims?status=disputed')), [])
  const sourceId = (await as('viewer')('GET', `/v1/claims/${ids[1]}`)).data.sourceId
  t.equal((await as('viewer')('GET', `/v1/claims?sourceId=${sourceId}`)).data.items.length, 5)
  t.same(texts(await as('viewer')('GET', '/v1/claims?reviewer=01890a5d-ac96-774b-bcce-b302099a8057')), [])
  const notAnId = await as('viewer')('GET', '/v1/claims?speakerId=nobody')
  t.equal(notAnId.statusCode, 400, 'an id filter that is not a UUID is a bad query parameter')
  t.match(notAnId.data.errors, [{ path: '/speakerId', message: 'must be a valid uuid' }])

  // -lastReviewedAt: reviewed claims first (newest review first), never-reviewed last by id.
  await query(engine, "UPDATE claims SET last_reviewed_at = '2026-01-01T00:00:00.000Z' WHERE id = ?", ids[2])
  t.same(texts(await as('viewer')('GET', '/v1/claims?sort=-lastReviewedAt')), ['Claim 2', 'Claim 4', 'Claim 3', 'Claim 1', 'Claim 0'])
  const firstPage = await as('viewer')('GET', '/v1/claims?sort=-lastReviewedAt&limit=1')
  const rest = await as('viewer')('GET', `/v1/claims?sort=-lastReviewedAt&limit=10&cursor=${firstPage.data.nextCursor}`)
  t.same(texts(rest), ['Claim 4', 'Claim 3', 'Claim 1', 'Claim 0'], 'a cursor crosses from reviewed to never-reviewed claims')

  // Walk every sort two at a time: every claim exactly once, in the same order as one big page.
  for (const sort of ['-claimedAt', 'claimedAt', '-createdAt', 'createdAt', '-updatedAt', '-lastReviewedAt']) {
    const whole = texts(await as('viewer')('GET', `/v1/claims?sort=${sort}`))
    const seen: string[] = []
    let url: string | undefined = `/v1/claims?sort=${sort}&limit=2`
    while (url !== undefined) {
      const page = await as('viewer')('GET', url)
      t.equal(page.statusCode, 200)
      seen.push(...texts(page))
      const link = page.headers.link as string | undefined
      if (page.data.nextCursor === null) {
        t.notOk(link)
        url = undefined
      } else {
        t.match(link, /^<\/v1\/claims\?.*cursor=.*>; rel="next"$/)
        url = /^<([^>]+)>/.exec(link as string)?.[1]
      }
    }
    t.same(seen, whole, `paging ${sort}`)
  }

  // A cursor survives inserts: new claims before the cursor do not shift the next page.
  const page1 = await as('viewer')('GET', '/v1/claims?sort=createdAt&limit=2')
  await as('editor')('POST', '/v1/claims', claimInput({ text: 'Claim 5' }))
  const page2 = await as('viewer')('GET', `/v1/claims?sort=createdAt&limit=2&cursor=${page1.data.nextCursor}`)
  t.same(texts(page2), ['Claim 2', 'Claim 3'])
  t.equal((await as('viewer')('GET', `/v1/claims?sort=claimedAt&cursor=${page1.data.nextCursor}`)).statusCode, 400, 'cursor of another sort')
})

t.test('every write appends its audit events in the same transaction', async (t) => {
  const { as } = await harness(t)
  const created = await as('editor')('POST', '/v1/claims', claimInput(), { 'x-request-id': 'req-create-1' })
  const feed = await as('viewer')('GET', '/v1/audit')
  const actions = feed.data.items.map((e: { action: string }) => e.action)
  t.same(actions.slice(-3), ['speaker.created', 'source.created', 'claim.created'], 'inline speaker and source are recorded too')
  const event = feed.data.items.at(-1)
  t.match(event, {
    actor: { name: 'editor key', role: 'editor' },
    entityType: 'claim',
    entityId: created.data.id,
    requestId: 'req-create-1',
    changes: {
      text: { from: null, to: 'There is no diplomatic solution to the conflict.' },
      status: { from: null, to: 'unverified' },
      topics: { from: null, to: ['nagorno-karabakh'] }
    }
  })
  await as('editor')('PATCH', `/v1/claims/${created.data.id}`, { text: 'Changed', language: 'hy' })
  const history = await as('viewer')('GET', `/v1/claims/${created.data.id}/history`)
  t.same(history.data.items[1].changes, {
    text: { from: 'There is no diplomatic solution to the conflict.', to: 'Changed' },
    language: { from: 'en', to: 'hy' }
  })
})

t.test('folding: case-folding beyond toLowerCase, for claims and speakers', async (t) => {
  const { as } = await harness(t)
  await as('editor')('POST', '/v1/claims', claimInput({ text: 'Die Straße ist gesperrt' }))
  const dup = await as('editor')('POST', '/v1/claims', claimInput({ text: 'DIE STRASSE IST GESPERRT' }))
  t.equal(dup.statusCode, 409)
  await as('editor')('POST', '/v1/speakers', { name: 'Οδυσσέας' })
  t.equal((await as('editor')('POST', '/v1/speakers', { name: 'ΟΔΥΣΣΈΑΣ' })).statusCode, 409, 'final sigma folds like sigma')
})

t.test('source URLs are compared as URLs, not strings', async (t) => {
  const { as } = await harness(t)
  const a = await as('editor')('POST', '/v1/sources', { title: 'A', url: 'https://Example.com/a#top' })
  t.equal(a.data.url, 'https://Example.com/a#top', 'stored exactly as given')
  const b = await as('editor')('POST', '/v1/sources', { title: 'B', url: 'HTTPS://example.com:443/a' })
  t.equal(b.statusCode, 409)
  t.equal(b.data.existingId, a.data.id)
  const viaClaim = await as('editor')('POST', '/v1/claims', claimInput({ source: { title: 'Other title', url: 'https://example.COM/a' } }))
  t.equal(viaClaim.data.sourceId, a.data.id, 'inline sources are found the same way')
})

t.test('an id is the lower-case UUID it was given as: the same letters in capitals name nothing, on either engine', async (t) => {
  const { as } = await harness(t)
  const created = (await as('editor')('POST', '/v1/claims', claimInput())).data
  t.equal((await as('viewer')('GET', `/v1/claims/${created.id as string}`)).statusCode, 200)
  const shouted = await as('viewer')('GET', `/v1/claims/${(created.id as string).toUpperCase()}`)
  t.equal(shouted.statusCode, 404)
})
