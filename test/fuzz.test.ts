/**
 * Property tests: random and adversarial input against every write endpoint and every
 * list's query string never yields a 5xx, always problem+json on a 4xx, and a rejected
 * write leaves the database exactly as it was. Bounded runs keep the suite fast.
 */
import fc from 'fast-check'
import t from 'tap'
import { claimInput, dump, harness } from './helpers.js'

const RUNS = 60

/** Keys that have broken parsers and ORMs before. */
const nastyKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', '$where', 'text\u0000', '\uD800')
const nastyString = fc.oneof(
  fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom(
    "'; DROP TABLE claims; --", '" OR 1=1 --', 'NEAR(a b)', '"unbalanced', '((((', '*', '-', '\uD800', '\uDFFF', '\u0000', '🇦🇲'.repeat(50),
    'x'.repeat(6000), '2020-02-30', '9999-99-99', 'https://', 'javascript:alert(1)', '../../etc/passwd'
  ))
const nastyNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -0, Number.MAX_SAFE_INTEGER))
const leaf = fc.oneof(nastyString, nastyNumber, fc.boolean(), fc.constant(null))
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nastyKey, fc.string()), tie('node'), { maxKeys: 5 }))
})).node
/** Bodies that look like real requests with one field replaced by junk, plus pure junk. */
const body = (base: Record<string, unknown>) => fc.oneof(
  value,
  fc.tuple(fc.constantFrom(...Object.keys(base), '__proto__', 'extra'), value).map(([k, v]) => ({ ...base, [k]: v })),
  fc.integer({ min: 1, max: 200 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)))
)

function checkResponse (t: { fail: (message: string) => void }, res: { statusCode: number, headers: Record<string, unknown>, body: string }, what: string) {
  if (res.statusCode >= 500) t.fail(`${what} → ${res.statusCode} ${res.body.slice(0, 300)}`)
  if (res.statusCode >= 400 && !/^application\/problem\+json/.test(String(res.headers['content-type']))) {
    t.fail(`${what} → ${res.statusCode} without problem+json`)
  }
}

t.test('write endpoints: junk never 5xx, always problem+json, rejected writes change nothing', async (t) => {
  const { as, engine } = await harness(t)
  const claim = await as('editor')('POST', '/v1/claims', claimInput())
  const speakerId = claim.data.speakerId as string
  const sourceId = claim.data.sourceId as string
  const targets: Array<[string, string, Record<string, unknown>]> = [
    ['POST', '/v1/claims', claimInput({ text: 'fuzz' })],
    ['PATCH', `/v1/claims/${claim.data.id}`, { text: 'fuzz', topics: ['a'] }],
    ['POST', `/v1/claims/${claim.data.id}/reviews`, { verdict: 'disputed', note: 'n', evidence: [{ url: 'https://a.example', stance: 'refutes' }] }],
    ['POST', '/v1/reviews/bulk', { atomic: true, items: [{ claimId: claim.data.id, verdict: 'unverified', note: 'n' }] }],
    ['POST', '/v1/claims/import', { items: [claimInput({ text: 'fuzz import' })] }],
    ['POST', '/v1/speakers', { name: 'Fuzz speaker', aliases: ['F'] }],
    ['PATCH', `/v1/speakers/${speakerId}`, { description: 'x' }],
    ['POST', '/v1/sources', { title: 'Fuzz source', url: 'https://fuzz.example' }],
    ['PATCH', `/v1/sources/${sourceId}`, { title: 'x' }],
    ['POST', '/v1/api-keys', { name: 'fuzz', role: 'viewer' }],
    ['DELETE', `/v1/claims/${claim.data.id}`, { reason: 'x' }]
  ]
  let cases = 0
  for (const [method, url, base] of targets) {
    await fc.assert(fc.asyncProperty(body(base), async (input) => {
      cases++
      const before = await dump(engine)
      const res = await as('admin')(method as 'POST', url, JSON.stringify(input), { 'content-type': 'application/json' })
      checkResponse(t, res, `${method} ${url} ${JSON.stringify(input).slice(0, 200)}`)
      if (res.statusCode >= 400) t.same(await dump(engine), before, `${method} ${url}: rejected, unchanged`)
      return res.statusCode < 500
    }), { numRuns: RUNS, seed: 20201021 })
  }
  t.ok(Object.getPrototypeOf({}).polluted === undefined, 'no prototype pollution')
  t.equal(cases, RUNS * targets.length, `fuzz cases run against write endpoints: ${cases}`)
})

t.test('list query strings: any parameter value never 5xx', async (t) => {
  const { as } = await harness(t)
  await as('editor')('POST', '/v1/claims', claimInput())
  const lists = ['/v1/claims', '/v1/speakers', '/v1/sources', '/v1/audit', '/v1/api-keys', '/v1/claims/export']
  const params = ['q', 'status', 'speakerId', 'sourceId', 'topic', 'claimedFrom', 'claimedTo', 'reviewer', 'sort', 'limit', 'cursor',
    'after', 'entityType', 'actor', 'action', 'publisher', 'format', '__proto__', 'asOf']
  let cases = 0
  await fc.assert(fc.asyncProperty(fc.constantFrom(...lists), fc.dictionary(fc.constantFrom(...params), nastyString, { maxKeys: 4 }),
    async (list, query) => {
      cases++
      const qs = new URLSearchParams(query as Record<string, string>).toString()
      const res = await as('admin')('GET', `${list}?${qs}`)
      checkResponse(t, res, `GET ${list}?${qs.slice(0, 200)}`)
      return res.statusCode < 500
    }), { numRuns: RUNS * 5, seed: 20201021 })
  t.equal(cases, RUNS * 5, `fuzz cases run against list queries: ${cases}`)
})
