/**
 * A lone UTF-16 surrogate ("\ud800", legal in a JSON string escape) cannot be stored as
 * UTF-8: SQLite read it back as U+FFFD while the answer and the audit event kept it, so a
 * row and its history disagreed. A NUL ("\u0000") cannot be stored in PostgreSQL's text.
 * Every string field of every request refuses either with 400.
 */
import t from 'tap'
import type { z } from 'zod'
import { auditQuery } from '../src/modules/audit/schemas.js'
import { claimListQuery, claimReadQuery, exportQuery } from '../src/modules/claims/schemas.js'
import { idParams, ifMatchHeaders, ifNoneMatchHeaders } from '../src/http/schemas.js'
import { reviewListQuery } from '../src/modules/reviews/schemas.js'
import { sourceListQuery } from '../src/modules/sources/schemas.js'
import { speakerListQuery } from '../src/modules/speakers/schemas.js'
import { claimInput, dump, harness } from './helpers.js'

const LONE = '\ud800'
const NUL = '\u0000'

type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

/** JSON pointers of every string in `value`, array items included. */
function stringPaths (value: Json, path = ''): string[] {
  if (typeof value === 'string') return [path]
  if (Array.isArray(value)) return value.flatMap((item, i) => stringPaths(item, `${path}/${i}`))
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringPaths(v, `${path}/${k}`))
  return []
}

/** A copy of `value` with `bad` appended to the string at `path`. */
function withBad (value: Json, path: string, bad: string): Json {
  const copy = structuredClone(value) as Record<string, Json>
  const keys = path.split('/').slice(1)
  const last = keys.pop() as string
  const parent = keys.reduce<Record<string, Json>>((node, key) => node[key] as Record<string, Json>, copy)
  parent[last] = `${parent[last] as string}${bad}`
  return copy
}

for (const [bad, name, message] of [[LONE, 'a lone surrogate', /unpaired surrogate/], [NUL, 'a NUL character', /must not contain the NUL character/]] as const) {
  t.test(`${name} in any string field of any write endpoint: 400 naming the field, nothing written`, async (t) => {
    const { as, engine } = await harness(t)
    const created = (await as('editor')('POST', '/v1/claims', claimInput())).data
    const claimPath = `/v1/claims/${created.id as string}`
    const speaker = { name: 'Another Speaker', kind: 'person', description: 'Foreign Minister', aliases: ['The Minister'] }
    const source = { title: 'Another source', publisher: 'A publisher', url: 'https://example.com/other', kind: 'report', publishedAt: '2020-10-20' }
    const inlineSpeaker = { name: speaker.name, kind: speaker.kind, description: speaker.description }
    const claim = { ...claimInput({ text: 'Another claim', quote: 'Verbatim words', context: 'At a press conference', language: 'en-GB' }), speaker: inlineSpeaker, source }
    const evidence = [{ url: 'https://example.com/evidence', title: 'A report', stance: 'refutes' }]
    const cases: Array<[string, string, Json]> = [
      ['POST', '/v1/speakers', speaker],
      ['PATCH', `/v1/speakers/${created.speakerId as string}`, speaker],
      ['POST', '/v1/sources', source],
      ['PATCH', `/v1/sources/${created.sourceId as string}`, source],
      ['POST', '/v1/claims', claim],
      ['POST', '/v1/claims', { text: 'By ids', speakerId: created.speakerId, sourceId: created.sourceId, claimedAt: '2020-10-20' }],
      ['PATCH', claimPath, { text: 'Changed', quote: 'Changed words', speakerId: created.speakerId, sourceId: created.sourceId, claimedAt: '2020-10-20', context: 'Changed', topics: ['changed'], language: 'fr' }],
      ['DELETE', claimPath, { reason: 'A duplicate' }],
      ['POST', `${claimPath}/reviews`, { verdict: 'disputed', note: 'The figure is wrong', evidence, clientRef: 'sheet:row-2' }],
      ['POST', '/v1/reviews/bulk', { atomic: false, items: [{ claimId: created.id, verdict: 'disputed', note: 'Wrong', evidence }] }],
      ['POST', '/v1/api-keys', { name: 'A script', role: 'viewer' }]
    ]
    const before = await dump(engine)
    let checked = 0
    for (const [method, url, body] of cases) {
      for (const path of stringPaths(body)) {
        const res = await as('admin')(method as 'POST', url, withBad(body, path, bad))
        t.equal(res.statusCode, 400, `${method} ${url} ${path}`)
        t.match(res.headers['content-type'], /^application\/problem\+json/)
        t.ok(res.data.errors?.some((e: { path: string, message: string }) => e.path === path && (message.test(e.message) || e.message.startsWith('must be one of'))), `${method} ${url}: the error names ${path}`)
        checked++
      }
    }
    t.ok(checked >= 50, `${checked} fields checked`)
    t.same(await dump(engine), before, 'nothing written')

    // Import answers per record: the record fails with 400, the request as a whole is 200.
    for (const path of stringPaths(claim)) {
      const json = await as('editor')('POST', '/v1/claims/import', { items: [withBad(claim, path, bad)] })
      const ndjson = await as('editor')('POST', '/v1/claims/import', JSON.stringify(withBad(claim, path, bad)) + '\n',
        { 'content-type': 'application/x-ndjson' })
      for (const res of [json, ndjson]) {
        t.equal(res.statusCode, 200)
        t.match(res.data, { created: 0, failed: 1, results: [{ ok: false, error: { status: 400 } }] }, `import ${path}`)
        t.ok(res.data.results[0].error.errors?.some((e: { path: string }) => e.path === path), `import: the error names ${path}`)
      }
    }
    t.same(await dump(engine), before, 'nothing imported')
  })
}

t.test('paired surrogates are ordinary characters: emoji round-trip', async (t) => {
  const { as } = await harness(t)
  // Paired surrogates are ordinary characters: emoji still round-trip.
  const emoji = await as('editor')('POST', '/v1/speakers', { name: 'Speaker 🇦🇲 \ud83d\ude00' })
  t.equal(emoji.statusCode, 201)
  t.equal((await as('viewer')('GET', `/v1/speakers/${emoji.data.id as string}`)).data.name, 'Speaker 🇦🇲 😀')
})

t.test('query strings, path ids and headers refuse them too', async (t) => {
  // Over HTTP a URL or header cannot carry one (percent-decoding yields U+FFFD or fails), but
  // the schemas hold the same rule, so no route depends on that.
  const schemas: Array<[string, z.ZodType, Record<string, string>]> = [
    ['claim list', claimListQuery, { q: 'x', topic: 'x' }],
    ['export', exportQuery, { q: 'x', topic: 'x' }],
    ['claim asOf', claimReadQuery, { asOf: '2020-10-21T00:00:00.000Z' }],
    ['speaker list', speakerListQuery, { q: 'x', cursor: 'x' }],
    ['source list', sourceListQuery, { q: 'x', publisher: 'x' }],
    ['review list', reviewListQuery, { cursor: 'x' }],
    ['audit feed', auditQuery, { entityType: 'x', entityId: 'x', actor: 'x', action: 'x', cursor: 'x' }],
    ['path id', idParams(), { id: 'x' }],
    ['If-Match', ifMatchHeaders, { 'if-match': '"1"' }],
    ['If-None-Match', ifNoneMatchHeaders, { 'if-none-match': '"1"' }]
  ]
  for (const [name, schema, valid] of schemas) {
    t.ok(schema.safeParse(valid).success, `${name}: the valid input passes`)
    for (const field of Object.keys(valid)) {
      for (const bad of [LONE, NUL]) t.notOk(schema.safeParse({ ...valid, [field]: valid[field] + bad }).success, `${name}: ${field} ${JSON.stringify(bad)}`)
    }
  }
})
