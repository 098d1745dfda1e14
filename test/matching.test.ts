/**
 * POST /v1/claims/match on the seeded article, as a fact-checker uses it: a paraphrase finds
 * the claim it restates, first, with the reasons; numbers, negation and the speaker decide
 * between claims whose words agree; deleted claims never match; the newest verdict comes along.
 */
import t, { type Test } from 'tap'
import { SEEDED } from '../src/seeded.js'
import { analyse, searchTerms, tokens } from '../src/modules/matching/analyse.js'
import { score } from '../src/modules/matching/score.js'
import { loadSeeds } from '../src/seed.js'
import { harness, TEST_ENGINE, type Harness } from './helpers.js'

t.setTimeout(120_000)

async function seeded (t: Test): Promise<Harness> {
  const h = await harness(t)
  await loadSeeds(h.app.services)
  return h
}
type Item = { claim: { id: string, text: string }, score: number, reasons: Array<Record<string, unknown>>, latestReview: Record<string, unknown> | null }

const match = (h: Harness) => async (body: Record<string, unknown>) => {
  const res = await h.as('viewer')('POST', '/v1/claims/match', body)
  return { res, items: (res.data?.items ?? []) as Item[] }
}

t.test('a paraphrase finds the claim it restates, first, with a score that says so and the reasons why', async (t) => {
  const h = await seeded(t)
  const { res, items } = await match(h)({ text: 'Baku says Azerbaijani troops have seized ground within Karabakh' })
  t.equal(res.statusCode, 200)
  t.equal(items[0]?.claim.id, SEEDED.claims.capturedGround)
  t.ok((items[0]?.score ?? 0) >= 0.8, `almost certainly the same claim (${items[0]?.score})`)
  t.match(items[0]?.reasons, [{ kind: 'terms', matched: ['azerbaijani', 'troops', 'seized', 'ground', 'within', 'karabakh'] },
    { kind: 'speaker', same: true, detail: 'same speaker (Government of Azerbaijan)' }], '"Baku" is the speaker\'s alias')
  t.equal(items[0]?.latestReview, null)
  t.ok(items.every((m, i) => i === 0 || m.score <= (items[i - 1]?.score ?? 1)), 'best first')
  t.ok(items.length <= 10, 'ten at most by default')
})

t.test('numbers decide: "700 soldiers" is not the claim of 772, whose words it shares', async (t) => {
  const h = await seeded(t)
  const right = await match(h)({ text: '772 Armenian troops and 36 civilians died in the fighting over Nagorno-Karabakh' })
  const wrong = await match(h)({ text: '700 Armenian soldiers and 36 civilians were killed in the fighting over Nagorno-Karabakh' })
  t.equal(right.items[0]?.claim.id, SEEDED.claims.armenianDeaths)
  t.ok((right.items[0]?.score ?? 0) >= 0.8, `the same numbers: ${right.items[0]?.score}`)
  t.match(right.items[0]?.reasons, [{ kind: 'terms' }, { kind: 'numbers', agree: true, query: ['36', '772'], claim: ['36', '772'] }])
  const found = wrong.items.find((m) => m.claim.id === SEEDED.claims.armenianDeaths)
  t.ok(found !== undefined && found.score < 0.5, `other numbers: below 0.5 (${found?.score})`)
  t.match(found?.reasons, [{ kind: 'terms' }, { kind: 'numbers', agree: false, query: ['36', '700'], claim: ['36', '772'] }])
})

t.test('negation and the speaker decide too; a given speakerId counts, an unknown one is 422', async (t) => {
  const h = await seeded(t)
  const negated = await match(h)({ text: 'There is a diplomatic solution to the Nagorno-Karabakh conflict' })
  const pashinyan = negated.items.find((m) => m.claim.text.startsWith('There is no diplomatic solution'))
  t.ok(pashinyan !== undefined && pashinyan.score < 0.8, `the negated claim is not "almost certainly" it (${pashinyan?.score})`)
  t.match(pashinyan?.reasons, [{ kind: 'terms' }, { kind: 'negation', detail: 'the claim is negated, this is not' }])
  // The same words from either side: the speaker puts the right one first.
  for (const [speakerId, first] of [[SEEDED.speakers.governmentOfAzerbaijan, 'Armenia is to blame'], [SEEDED.speakers.governmentOfArmenia, 'Azerbaijan is to blame']] as const) {
    const { items } = await match(h)({ text: 'Azerbaijan is to blame for the shelling since fighting erupted on 27 September', speakerId })
    t.ok(items[0]?.claim.text.startsWith(first), `speakerId ${speakerId}: "${first}…" first`)
    t.match(items[0]?.reasons.at(-1), { kind: 'speaker', same: true })
  }
  const unknown = await match(h)({ text: 'anything at all', speakerId: '01754a62-f281-71aa-9bcd-000000000000' })
  t.equal(unknown.res.statusCode, 422)
  t.match(unknown.res.data, { errors: [{ path: '/speakerId' }] })
})

t.test('deleted claims never match; the newest review comes with a match; filters and limits', async (t) => {
  const h = await seeded(t)
  const text = 'Azerbaijani forces have captured ground within Karabakh'
  await h.as('reviewer')('POST', `/v1/claims/${SEEDED.claims.capturedGround}/reviews`, {
    verdict: 'corroborated', note: 'Confirmed by satellite imagery.', evidence: [{ url: 'https://example.org/imagery', stance: 'supports' }]
  })
  const reviewed = await match(h)({ text, limit: 1 })
  t.equal(reviewed.items.length, 1)
  t.match(reviewed.items[0], { claim: { id: SEEDED.claims.capturedGround, status: 'corroborated' }, latestReview: { verdict: 'corroborated', note: 'Confirmed by satellite imagery.', reviewer: { name: 'reviewer key' } } })
  t.same((await match(h)({ text, minScore: 0.99 })).items.map((m) => m.claim.id), [SEEDED.claims.capturedGround], 'minScore')
  t.same((await match(h)({ text, language: 'hy' })).items, [], 'language: only claims in it')
  const armenian = await h.as('editor')('POST', '/v1/claims', {
    text: 'Azerbaijani forces have captured ground within Karabakh, the ministry said',
    speakerId: SEEDED.speakers.governmentOfArmenia,
    sourceId: SEEDED.source.mailOnline,
    claimedAt: '2020-10-21',
    language: 'hy'
  })
  t.same((await match(h)({ text, language: 'hy' })).items.map((m) => m.claim.id), [armenian.data.id], 'and the claims in it are found')
  t.equal((await h.as('editor')('DELETE', `/v1/claims/${SEEDED.claims.capturedGround}`, { reason: 'test' })).statusCode, 204)
  t.notOk((await match(h)({ text })).items.some((m) => m.claim.id === SEEDED.claims.capturedGround), 'a deleted claim never matches')
})

t.test('a claim is found through the quotes of its appearances, in words its own text does not use', async (t) => {
  const h = await seeded(t)
  const text = 'Azerbaijani units raised their flag over Hadrut after days of heavy fighting'
  t.notOk((await match(h)({ text })).items.some((m) => m.claim.id === SEEDED.claims.capturedGround && m.score >= 0.5), 'not before the appearance')
  const added = await h.as('editor')('POST', `/v1/claims/${SEEDED.claims.capturedGround}/appearances`, {
    source: { title: 'Wire story', publisher: 'Example Wire', kind: 'article' },
    appearedAt: '2020-10-22',
    quote: 'Azerbaijani units have raised their flag over Hadrut after days of heavy fighting, Baku said.'
  })
  t.equal(added.statusCode, 201)
  const { items } = await match(h)({ text })
  t.equal(items[0]?.claim.id, SEEDED.claims.capturedGround, 'first, through the quote')
  t.ok((items[0]?.score ?? 0) >= 0.8, `scored against the quote (${items[0]?.score})`)
  t.match(items[0]?.reasons[0], { kind: 'terms', matched: ['azerbaijani', 'units', 'raised', 'flag', 'hadrut', 'days', 'heavy', 'fighting'] })
  t.equal((await h.as('editor')('DELETE', `/v1/claims/${SEEDED.claims.capturedGround}`, { reason: 'test' })).statusCode, 204)
  t.notOk((await match(h)({ text })).items.some((m) => m.claim.id === SEEDED.claims.capturedGround), 'a deleted claim never matches, by its appearances neither')
})

t.test('the store counts the claims holding each word, which decides the words a large store searches with', async (t) => {
  const h = await seeded(t)
  const terms = [{ term: 'karabakh', prefix: false }, { term: 'azerbaij', prefix: true }, { term: 'zzyzx', prefix: false }]
  const all = (await h.as('viewer')('GET', '/v1/claims?limit=200')).data.items as Array<{ text: string, quote: string | null, context: string | null }>
  const holding = (word: RegExp) => all.filter((c) => word.test(`${c.text} ${c.quote ?? ''} ${c.context ?? ''}`)).length
  if (TEST_ENGINE === 'sqlite') {
    const [karabakh, azerbaij, none] = await h.app.services.matching.claimsHolding(terms)
    t.same([karabakh, none], [holding(/\bkarabakh\b/i), 0], 'a word: exact on SQLite (its vocabulary)')
    t.ok((azerbaij ?? 0) >= holding(/\bazerbaij/i), `a prefix: the sum over the words it begins, at least the claims holding one (${azerbaij})`)
  } else {
    t.same(await h.app.services.matching.claimsHolding(terms), [0, 0, 0], 'PostgreSQL knows nothing before the table is analysed')
    if (h.engine.kind === 'postgres') await h.engine.postgres.pool.query('ANALYZE claims')
    const [karabakh, azerbaij, none] = await h.app.services.matching.claimsHolding(terms)
    t.ok((karabakh ?? 0) > 0 && (azerbaij ?? 0) >= (karabakh ?? 0) / 2, `estimated from pg_stats after ANALYZE (${karabakh}, ${azerbaij})`)
    t.ok((none ?? 0) < (karabakh ?? 0), `a word not among the most common: rarer than those (${none})`)
  }
})

t.test('an import lists possibleMatches for each created claim: JSON by default, NDJSON when asked', async (t) => {
  const h = await seeded(t)
  const item = (text: string) => ({ text, speaker: { name: 'Yerevan' }, sourceId: SEEDED.source.mailOnline, claimedAt: '2020-10-22' })
  const first = 'Armenian officials say Azerbaijani troops seized ground within Karabakh overnight'
  const json = await h.as('editor')('POST', '/v1/claims/import', { items: [item(first), item('The price of bread rose in Glasgow.'), item(`${first}, again`)] })
  t.equal(json.statusCode, 200)
  const [a, b, c] = json.data.results as Array<{ ok: boolean, id: string, possibleMatches: Array<{ id: string, score: number }> }>
  t.same(a?.possibleMatches.map((m) => m.id), [SEEDED.claims.capturedGround], 'a stored claim it may repeat; never a record after it')
  t.same(b?.possibleMatches, [], 'nothing close: an empty list')
  t.same(c?.possibleMatches.map((m) => m.id), [a?.id, SEEDED.claims.capturedGround], 'a record is compared with the records before it')
  t.ok([a, c].every((r) => r?.possibleMatches.every((m) => m.score >= 0.5 && m.id !== r.id)))

  const ndjson = (query: string, text: string) => h.as('editor')('POST', `/v1/claims/import${query}`, JSON.stringify(item(text)) + '\n', { 'content-type': 'application/x-ndjson' })
  const plain = await ndjson('', 'Azerbaijani troops seized ground within Karabakh, Armenia admits')
  t.same([plain.statusCode, plain.data.created, 'possibleMatches' in plain.data.results[0]], [200, 1, false], 'NDJSON: none unless asked')
  const asked = await ndjson('?possibleMatches=true', 'Azerbaijani troops seized more ground within Karabakh, Armenia admits')
  t.match(asked.data.results[0], { ok: true, possibleMatches: [{ id: plain.data.results[0].id }] })
  const off = await h.as('editor')('POST', '/v1/claims/import?possibleMatches=false', { items: [item('Azerbaijani troops seized ground near Hadrut, Armenia admits')] })
  t.same([off.data.created, 'possibleMatches' in off.data.results[0]], [1, false], 'JSON: on unless turned off')
  const bad = await h.as('editor')('POST', '/v1/claims/import?possibleMatches=maybe', { items: [item('Anything')] })
  t.same([bad.statusCode, bad.headers['content-type']], [400, 'application/problem+json; charset=utf-8'])
})

t.test('an import of many alike records: each still finds the stored claims, the records after it left out of its candidates', async (t) => {
  const h = await seeded(t)
  const item = (text: string) => ({ text, speaker: { name: 'Yerevan' }, sourceId: SEEDED.source.mailOnline, claimedAt: '2020-10-22' })
  const feed = Array.from({ length: 60 }, (_, i) => item(`Azerbaijani troops seized ground within Karabakh, wire report ${String.fromCharCode(97 + i % 26, 97 + Math.floor(i / 26))}`))
  const crowd = await h.as('editor')('POST', '/v1/claims/import', { items: feed })
  t.equal(crowd.data.created, 60)
  t.ok(crowd.data.results[0].possibleMatches.some((m: { id: string }) => m.id === SEEDED.claims.capturedGround),
    'the first of 60 alike records still finds the stored claim: the 59 after it are left out of its candidates, not of its top 3')
  t.same(crowd.data.results[59].possibleMatches.map((m: { score: number }) => m.score >= 0.8), [true, true, true], 'the last finds the records before it')
})

t.test('bad requests are 400 problems; a viewer key is needed', async (t) => {
  const h = await seeded(t)
  for (const body of [{}, { text: '' }, { text: 'x', limit: 51 }, { text: 'x', limit: 0 }, { text: 'x', minScore: 1.5 }, { text: 'x', extra: 1 }, { text: 'x', claimedAt: '2020-13-01' }]) {
    const { res } = await match(h)(body)
    t.equal(res.statusCode, 400, JSON.stringify(body))
    t.match(res.headers['content-type'], /^application\/problem\+json/)
  }
  t.equal((await h.as('none')('POST', '/v1/claims/match', { text: 'x' })).statusCode, 401)
  const nothing = await match(h)({ text: 'the of and' })
  t.same([nothing.res.statusCode, nothing.items.length], [200, 0], 'no content words: nothing matches, and that is no error')
})

t.test('analysis: the same statement however it is typed', async (t) => {
  t.same(tokens('Sixty-three, 1,200.50 and 36'), ['sixty', 'three', '1200.5', 'and', '36'])
  t.same(tokens('007 and 12345678901234567890123.40'), ['7', 'and', '12345678901234567890123.4'], 'digits only, any length')
  t.same(searchTerms(analyse('1200.5')), [{ term: '1200', prefix: false, word: 0 }, { term: '5', prefix: false, word: 0 }], 'as both indexes split a decimal')
  t.same(analyse('Sixty-three civilians and two hundred soldiers').numbers, ['200', '63'])
  t.same(analyse('Karabakh isn\'t safe').negated, true)
  t.same(analyse('They recognised KARABAKH').terms, analyse('they recognize Karabákh!').terms, 'spelling, case, accents, punctuation')
  t.same(analyse('Armenian troops were killed').terms, analyse('Armenia soldiers died').terms, 'demonyms and news synonyms')
  t.same(searchTerms(analyse('casualties')), [{ term: 'casualt', prefix: true, word: 0 }], 'Porter\'s y→i undone for the index')
  t.same(score(analyse('same words'), analyse('same words')).score, 1)
  t.same(score(analyse('alpha'), analyse('omega')).score, 0)
})

t.test('a new claim lists the stored claims it may repeat (possibleMatches), never itself', async (t) => {
  const h = await seeded(t)
  const created = await h.as('editor')('POST', '/v1/claims', {
    text: 'Armenian forces hold regions of Azerbaijan that surround Karabakh.',
    speakerId: SEEDED.speakers.aliyev,
    sourceId: SEEDED.source.mailOnline,
    claimedAt: '2020-10-21'
  })
  t.equal(created.statusCode, 201)
  const { possibleMatches } = created.data as { possibleMatches: Array<{ id: string, score: number }> }
  t.ok(possibleMatches.length >= 1 && possibleMatches.length <= 3, `${possibleMatches.length} possible matches`)
  t.match(possibleMatches[0], { id: '01754a62-f294-76be-9fd1-694a26d67c66' }, 'Aliyev\'s condition for a ceasefire, held by the same words')
  t.ok(possibleMatches.every((m) => m.score >= 0.5 && m.id !== created.data.id), 'each worth a look, none the claim itself')
  const unrelated = await h.as('editor')('POST', '/v1/claims', {
    text: 'The price of bread rose in Glasgow.', speakerId: SEEDED.speakers.aliyev, sourceId: SEEDED.source.mailOnline, claimedAt: '2020-10-21'
  })
  t.same(unrelated.data.possibleMatches, [], 'nothing close: an empty list')
})

t.test('a create whose suggestions fail is still a 201 (the claim is stored), with none suggested', async (t) => {
  const h = await seeded(t)
  h.app.services.matching.possibleMatches = async () => { throw new Error('the index is unavailable') }
  const created = await h.as('editor')('POST', '/v1/claims', {
    text: 'Armenian forces hold regions of Azerbaijan that surround Karabakh.', speakerId: SEEDED.speakers.aliyev, sourceId: SEEDED.source.mailOnline, claimedAt: '2020-10-21'
  })
  t.equal(created.statusCode, 201)
  t.same(created.data.possibleMatches, [])
  t.equal((await h.as('viewer')('GET', `/v1/claims/${created.data.id}`)).statusCode, 200)
})
