import t from 'tap'
import { claimInput, dump, harness, withoutMatches } from './helpers.js'

const evidence = [{ url: 'https://www.osce.org/minsk-group', title: 'OSCE Minsk Group', stance: 'refutes' }]

t.test('a review sets the claim status, version, count and time in one step', async (t) => {
  const { as } = await harness(t)
  const created = await as('editor')('POST', '/v1/claims', claimInput())
  const url = `/v1/claims/${created.data.id}`
  const res = await as('reviewer')('POST', `${url}/reviews`, { verdict: 'disputed', note: '  Contradicted by the ministry.  ', evidence }, { 'if-match': '"1"' })
  t.equal(res.statusCode, 201)
  t.equal(res.headers.etag, '"2"', 'the claim\'s new version')
  t.equal(res.headers.location, `${url}/reviews/${res.data.review.id}`)
  t.match(res.data.review, {
    claimId: created.data.id,
    verdict: 'disputed',
    previousStatus: 'unverified',
    note: 'Contradicted by the ministry.',
    evidence,
    reviewer: { name: 'reviewer key' }
  })
  t.match(res.data.claim, { status: 'disputed', version: 2, reviewCount: 1, lastReviewedAt: res.data.review.createdAt })
  t.equal((await as('viewer')('GET', res.headers.location as string)).data.id, res.data.review.id)

  const claim = await as('viewer')('GET', url)
  t.match(claim.data, { status: 'disputed', version: 2, reviewCount: 1 })
  t.equal(claim.headers.etag, '"2"')

  const event = (await as('viewer')('GET', `${url}/history`)).data.items.at(-1)
  t.match(event, {
    action: 'claim.reviewed',
    actor: { role: 'reviewer' },
    changes: { status: { from: 'unverified', to: 'disputed' }, review: { to: { id: res.data.review.id, verdict: 'disputed' } } }
  })
  t.equal((await as('viewer')('GET', '/v1/claims?status=disputed')).data.items.length, 1)
  const reviewerId = (await as('reviewer')('GET', '/v1/me')).data.id
  t.equal((await as('viewer')('GET', `/v1/claims?reviewer=${reviewerId}`)).data.items.length, 1)
})

t.test('verdict rules: a note always, evidence for a side, http(s) evidence URLs', async (t) => {
  const { as, engine } = await harness(t)
  const created = await as('editor')('POST', '/v1/claims', claimInput())
  const url = `/v1/claims/${created.data.id}/reviews`
  const before = await dump(engine)
  for (const verdict of ['corroborated', 'disputed']) {
    const res = await as('reviewer')('POST', url, { verdict, note: 'No sources' })
    t.equal(res.statusCode, 422, `${verdict} without evidence`)
    t.match(res.data.detail, /needs at least one evidence item/)
    t.match(res.data.errors, [{ path: '/evidence' }])
  }
  const bad: Array<[unknown, string]> = [
    [{ verdict: 'unverified' }, '/note'],
    [{ verdict: 'unverified', note: '   ' }, '/note'],
    [{ verdict: 'false', note: 'x' }, '/verdict'],
    [{ verdict: 'disputed', note: 'x', evidence: [{ url: 'javascript:alert(1)', stance: 'refutes' }] }, '/evidence/0/url'],
    [{ verdict: 'disputed', note: 'x', evidence: [{ url: 'ftp://x.example/a', stance: 'refutes' }] }, '/evidence/0/url'],
    [{ verdict: 'disputed', note: 'x', evidence: [{ url: 'https://x.example', stance: 'maybe' }] }, '/evidence/0/stance'],
    [{ verdict: 'disputed', note: 'x'.repeat(10001), evidence }, '/note'],
    [{ verdict: 'unverified', note: 'x', reviewer: 'me' }, '/reviewer']
  ]
  for (const [body, path] of bad) {
    const res = await as('reviewer')('POST', url, body)
    t.equal(res.statusCode, 400, JSON.stringify(body).slice(0, 80))
    t.ok(res.data.errors.some((e: { path: string }) => e.path === path), `error at ${path}`)
  }
  t.equal((await as('reviewer')('POST', url, { verdict: 'disputed', note: 'x', evidence: Array(51).fill(evidence[0]) })).statusCode, 400)
  t.same(await dump(engine), before, 'failed reviews leave claim, reviews and audit exactly as before')
  const unverified = await as('reviewer')('POST', url, { verdict: 'unverified', note: 'Still checking' })
  t.equal(unverified.statusCode, 201, 'unverified needs no evidence')
})

t.test('If-Match, deleted claims, unknown claims, roles', async (t) => {
  const { as, engine } = await harness(t)
  const created = await as('editor')('POST', '/v1/claims', claimInput())
  const url = `/v1/claims/${created.data.id}/reviews`
  await as('editor')('PATCH', `/v1/claims/${created.data.id}`, { context: 'edited' })
  const before = await dump(engine)
  const stale = await as('reviewer')('POST', url, { verdict: 'disputed', note: 'x', evidence }, { 'if-match': '"1"' })
  t.equal(stale.statusCode, 412)
  t.equal(stale.data.currentVersion, 2)
  t.equal((await as('viewer')('POST', url, { verdict: 'unverified', note: 'x' })).statusCode, 403)
  t.equal((await as('reviewer')('POST', '/v1/claims/01890a5d-ac96-774b-bcce-b302099a8057/reviews', { verdict: 'unverified', note: 'x' })).statusCode, 404)
  t.same(await dump(engine), before)
  t.equal((await as('editor')('POST', url, { verdict: 'unverified', note: 'editors review too' })).statusCode, 201)

  await as('editor')('DELETE', `/v1/claims/${created.data.id}`)
  const gone = await as('reviewer')('POST', url, { verdict: 'disputed', note: 'x', evidence })
  t.equal(gone.statusCode, 410)
  t.equal((await as('viewer')('GET', url)).statusCode, 200, 'reviews of a deleted claim stay readable, like its history')
})

t.test('two reviewers racing with the same If-Match: exactly one wins', async (t) => {
  const { as } = await harness(t)
  const created = await as('editor')('POST', '/v1/claims', claimInput())
  const url = `/v1/claims/${created.data.id}/reviews`
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
    as('reviewer')('POST', url, { verdict: i % 2 === 0 ? 'disputed' : 'corroborated', note: `reviewer ${i}`, evidence }, { 'if-match': '"1"' })))
  t.same(results.map((r) => r.statusCode).sort(), [201, 412, 412, 412, 412, 412, 412, 412, 412, 412])
  const history = (await as('viewer')('GET', `/v1/claims/${created.data.id}/history`)).data.items
  t.equal(history.filter((e: { action: string }) => e.action === 'claim.reviewed').length, 1)
})

t.test('review list: newest first, paged', async (t) => {
  const { as } = await harness(t)
  const created = await as('editor')('POST', '/v1/claims', claimInput())
  const url = `/v1/claims/${created.data.id}/reviews`
  const steps = ['disputed', 'corroborated', 'unverified'] as const
  for (const verdict of steps) await as('reviewer')('POST', url, { verdict, note: verdict, evidence: verdict === 'unverified' ? [] : evidence })
  const page1 = await as('viewer')('GET', `${url}?limit=2`)
  t.same(page1.data.items.map((r: { verdict: string }) => r.verdict), ['unverified', 'corroborated'])
  t.same(page1.data.items.map((r: { previousStatus: string }) => r.previousStatus), ['corroborated', 'disputed'])
  t.match(page1.headers.link, /rel="next"/)
  const page2 = await as('viewer')('GET', `${url}?limit=2&cursor=${page1.data.nextCursor}`)
  t.same(page2.data.items.map((r: { verdict: string }) => r.verdict), ['disputed'])
  t.equal(page2.data.nextCursor, null)
  t.equal((await as('viewer')('GET', '/v1/claims/nope/reviews')).statusCode, 404)
})

t.test('asOf: the claim as it stood at any moment, rebuilt from history', async (t) => {
  const { as } = await harness(t)
  const created = await as('editor')('POST', '/v1/claims', claimInput({ text: 'Original' }))
  const id = created.data.id
  const url = `/v1/claims/${id}`
  const pause = async () => await new Promise((resolve) => setTimeout(resolve, 5))
  const moments: string[] = []
  const mark = async () => { await pause(); moments.push(new Date().toISOString()); await pause() }

  await mark() // 0: created
  await as('editor')('PATCH', url, { text: 'Edited', speaker: undefined })
  await as('editor')('PATCH', `/v1/speakers/${created.data.speakerId}`, { name: 'Nikol Pashinyan (PM)' })
  await mark() // 1: edited, speaker renamed
  await as('reviewer')('POST', `${url}/reviews`, { verdict: 'disputed', note: 'x', evidence })
  await mark() // 2: disputed
  const other = await as('editor')('POST', '/v1/speakers', { name: 'Government of Armenia', kind: 'government' })
  await as('editor')('PATCH', url, { speakerId: other.data.id })
  await mark() // 3: another speaker
  const now = (await as('viewer')('GET', url)).data
  await as('editor')('DELETE', url, { reason: 'withdrawn' })
  await mark() // 4: deleted

  const at = async (time: string) => await as('viewer')('GET', `${url}?asOf=${encodeURIComponent(time)}`)
  t.equal((await at('2020-01-01T00:00:00Z')).statusCode, 404, 'before it existed')
  const v0 = await at(moments[0] as string)
  t.equal(v0.statusCode, 200)
  t.same(v0.data, withoutMatches(created.data), 'just after creation: exactly the created claim')
  t.notOk(v0.headers.etag, 'historical reads carry no ETag')
  t.match((await at(moments[1] as string)).data, { text: 'Edited', speaker: { name: 'Nikol Pashinyan (PM)' }, status: 'unverified', version: 2 })
  t.match((await at(moments[2] as string)).data, { text: 'Edited', status: 'disputed', reviewCount: 1, version: 3 })
  t.same((await at(moments[3] as string)).data, now, 'just before deletion: exactly the claim as it was served then')
  const deleted = await at(moments[4] as string)
  t.equal(deleted.statusCode, 410)
  t.match(deleted.data, { reason: 'withdrawn', deletedBy: { name: 'editor key' } })
  t.equal((await at('2020-10-21T12:00:00+04:00')).statusCode, 404, 'offsets are accepted')
  t.equal((await at('yesterday')).statusCode, 400)
  t.equal((await as('viewer')('GET', `${url}?asof=2020`)).statusCode, 400, 'unknown query parameter')
})

t.test('ClaimReview: schema.org JSON-LD for reviewed claims, 409 while unverified', async (t) => {
  const { as } = await harness(t, { PUBLISHER_NAME: 'Desk Check', PUBLISHER_URL: 'https://factcheck.example/' })
  const created = await as('editor')('POST', '/v1/claims', claimInput({ quote: 'no diplomatic solution' }))
  const url = `/v1/claims/${created.data.id}/claimreview`
  const unverified = await as('viewer')('GET', url)
  t.equal(unverified.statusCode, 409)
  t.match(unverified.headers['content-type'], /^application\/problem\+json/)

  const reviewed = await as('reviewer')('POST', `/v1/claims/${created.data.id}/reviews`, { verdict: 'disputed', note: 'The ministry says otherwise.', evidence })
  const res = await as('viewer')('GET', url)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/ld\+json/)
  const source = {
    '@type': 'CreativeWork',
    url: 'https://example.com/article',
    headline: 'Armenia calls on volunteers',
    publisher: { '@type': 'Organization', name: 'Mail Online' },
    datePublished: '2020-10-21'
  }
  t.same(res.data, {
    '@context': 'https://schema.org',
    '@type': 'ClaimReview',
    url: `https://factcheck.example/claims/${created.data.id}`,
    claimReviewed: 'There is no diplomatic solution to the conflict.',
    datePublished: reviewed.data.review.createdAt,
    author: { '@type': 'Organization', name: 'Desk Check', url: 'https://factcheck.example/' },
    reviewRating: { '@type': 'Rating', ratingValue: 1, bestRating: 3, worstRating: 1, alternateName: 'Disputed' },
    reviewBody: 'The ministry says otherwise.',
    itemReviewed: {
      '@type': 'Claim',
      author: { '@type': 'Person', name: 'Nikol Pashinyan', description: 'Prime Minister of Armenia' },
      datePublished: '2020-10-21',
      appearance: [source],
      firstAppearance: source,
      text: 'no diplomatic solution'
    }
  })
  await as('reviewer')('POST', `/v1/claims/${created.data.id}/reviews`, { verdict: 'corroborated', note: 'Confirmed.', evidence })
  t.match((await as('viewer')('GET', url)).data.reviewRating, { ratingValue: 3, alternateName: 'Corroborated' })
  const org = await as('editor')('POST', '/v1/claims', claimInput({ text: 'Casualties', speaker: { name: 'Yerevan', kind: 'government' } }))
  await as('reviewer')('POST', `/v1/claims/${org.data.id}/reviews`, { verdict: 'corroborated', note: 'ok', evidence })
  t.equal((await as('viewer')('GET', `/v1/claims/${org.data.id}/claimreview`)).data.itemReviewed.author['@type'], 'Organization')
  await as('reviewer')('POST', `/v1/claims/${created.data.id}/reviews`, { verdict: 'unverified', note: 'Reopened.' })
  t.equal((await as('viewer')('GET', url)).statusCode, 409, 'back to unverified: nothing to publish')
})

t.test('stats: totals, reviews per day, top speakers', async (t) => {
  const { as } = await harness(t)
  const a = await as('editor')('POST', '/v1/claims', claimInput({ text: 'A' }))
  await as('editor')('POST', '/v1/claims', claimInput({ text: 'B' }))
  await as('editor')('POST', '/v1/claims', claimInput({ text: 'C', speaker: { name: 'Ilham Aliyev' } }))
  const gone = await as('editor')('POST', '/v1/claims', claimInput({ text: 'D', speaker: { name: 'Ilham Aliyev' } }))
  await as('editor')('DELETE', `/v1/claims/${gone.data.id}`)
  await as('reviewer')('POST', `/v1/claims/${a.data.id}/reviews`, { verdict: 'disputed', note: 'x', evidence })
  await as('reviewer')('POST', `/v1/claims/${a.data.id}/reviews`, { verdict: 'corroborated', note: 'y', evidence })
  const res = await as('viewer')('GET', '/v1/stats')
  t.equal(res.statusCode, 200)
  t.same(res.data.totals, { claims: 3, unverified: 2, corroborated: 1, disputed: 0, reviews: 2 })
  t.equal(res.data.reviewsPerDay.length, 30)
  t.same(res.data.reviewsPerDay.at(-1), { date: new Date().toISOString().slice(0, 10), reviews: 2 })
  t.equal(res.data.reviewsPerDay[0].reviews, 0)
  t.match(res.data.topSpeakers, [{ name: 'Nikol Pashinyan', claims: 2 }, { name: 'Ilham Aliyev', claims: 1 }])
})

t.test('over a real socket: many concurrent reviewers with the same If-Match, one wins', async (t) => {
  const { app, as, keys } = await harness(t)
  const created = await as('editor')('POST', '/v1/claims', claimInput())
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const post = async (i: number) => await fetch(`${base}/v1/claims/${created.data.id}/reviews`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.reviewer}`, 'content-type': 'application/json', 'if-match': '"1"' },
    body: JSON.stringify({ verdict: 'disputed', note: `racer ${i}`, evidence })
  })
  const statuses = (await Promise.all(Array.from({ length: 50 }, async (_, i) => (await post(i)).status)))
  t.equal(statuses.filter((s) => s === 201).length, 1)
  t.equal(statuses.filter((s) => s === 412).length, 49)
  const claim = await as('viewer')('GET', `/v1/claims/${created.data.id}`)
  t.match(claim.data, { version: 2, reviewCount: 1, status: 'disputed' })
  t.equal((await as('viewer')('GET', `/v1/claims/${created.data.id}/reviews`)).data.items.length, 1)
})

t.test('clientRef: a review sent again is never applied twice, whatever came between', async (t) => {
  const { as, engine } = await harness(t)
  const created = await as('editor')('POST', '/v1/claims', claimInput())
  const url = `/v1/claims/${created.data.id}/reviews`
  const body = { verdict: 'disputed', note: 'Contradicted by the ministry.', evidence, clientRef: 'desk-sheet-2020-10-21:row-7' }
  const first = await as('reviewer')('POST', url, body, { 'if-match': '"1"' })
  t.equal(first.statusCode, 201)
  t.equal(first.data.review.clientRef, 'desk-sheet-2020-10-21:row-7')
  t.equal(first.headers['idempotent-replayed'], undefined)
  // The claim moves on: another review, then an edit.
  t.equal((await as('reviewer')('POST', url, { verdict: 'unverified', note: 'Reopened.' })).statusCode, 201)

  const before = await dump(engine)
  // Sent again, with the stale If-Match the first request had: the stored review comes back.
  const again = await as('reviewer')('POST', url, { ...body, note: '  Contradicted by the ministry. ' }, { 'if-match': '"1"' })
  t.equal(again.statusCode, 200)
  t.equal(again.headers['idempotent-replayed'], 'true')
  t.same(again.data.review, first.data.review)
  t.match(again.data.claim, { status: 'unverified', version: 3, reviewCount: 2 }, 'the claim as it is now')
  t.same(await dump(engine), before, 'nothing written')

  // The same reference asking for something else is refused, naming the review it was applied as.
  for (const other of [{ ...body, verdict: 'corroborated', evidence: [{ url: 'https://www.osce.org/', stance: 'supports' }] },
    { ...body, note: 'Another note' }]) {
    const res = await as('reviewer')('POST', url, other)
    t.equal(res.statusCode, 409)
    t.equal(res.data.existingId, first.data.review.id)
    t.equal(res.headers.location, `${url}/${first.data.review.id}`)
    t.match(res.data.detail, /already applied/)
  }
  t.same(await dump(engine), before, 'refusals wrote nothing')
  t.equal((await as('reviewer')('POST', '/v1/claims/not-a-claim/reviews', body)).statusCode, 404, 'an id that names nothing is a 404 first')
  const elsewhere = await as('editor')('POST', '/v1/claims', claimInput({ text: 'Another claim.' }))
  t.equal((await as('reviewer')('POST', `/v1/claims/${elsewhere.data.id}/reviews`, body)).statusCode, 409, 'unique across claims')
  // Another key has references of its own, as with Idempotency-Key: another desk's "row-7" is its own row.
  t.equal((await as('editor')('POST', `/v1/claims/${elsewhere.data.id}/reviews`, body)).statusCode, 201, 'scoped to the key')

  const history = (await as('viewer')('GET', `/v1/claims/${created.data.id}/history`)).data.items
  t.equal(history.filter((e: { action: string }) => e.action === 'claim.reviewed').length, 2)
  t.equal(history[1].changes.review.to.clientRef, 'desk-sheet-2020-10-21:row-7', 'the reference is in the history')
  t.equal((await as('reviewer')('POST', url, { ...body, clientRef: 'x'.repeat(201) })).statusCode, 400)
})
