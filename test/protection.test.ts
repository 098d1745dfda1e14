import t from 'tap'
import { claimInput, harness } from './helpers.js'

t.test('rate limit per API key: 429 problem+json with Retry-After; other keys and public routes unaffected', async (t) => {
  const { as } = await harness(t, { RATE_LIMIT_PER_MINUTE: '3' })
  for (let i = 0; i < 3; i++) {
    const ok = await as('viewer')('GET', '/v1/me')
    t.equal(ok.statusCode, 200)
    t.equal(ok.headers['x-ratelimit-limit'], '3')
  }
  const limited = await as('viewer')('GET', '/v1/me')
  t.equal(limited.statusCode, 429)
  t.match(limited.headers['content-type'], /^application\/problem\+json/)
  t.match(limited.headers['retry-after'], /^\d+$/)
  t.match(limited.data, { status: 429, title: 'Too many requests', detail: /3 requests a minute/ })
  t.equal((await as('editor')('GET', '/v1/me')).statusCode, 200, 'another key has its own budget')
  for (let i = 0; i < 5; i++) t.equal((await as('none')('GET', '/health')).statusCode, 200)
})

t.test('CORS only for the configured origins, exposing the headers clients need', async (t) => {
  const { as } = await harness(t, { CORS_ORIGINS: 'https://desk.example' })
  const allowed = await as('viewer')('GET', '/v1/claims', undefined, { origin: 'https://desk.example' })
  t.equal(allowed.headers['access-control-allow-origin'], 'https://desk.example')
  t.match(allowed.headers['access-control-expose-headers'], /ETag/)
  const refused = await as('none')('GET', '/v1/claims', undefined, { origin: 'https://desk.example' })
  t.equal(refused.statusCode, 401)
  t.equal(refused.headers['access-control-allow-origin'], 'https://desk.example', 'a browser client can read why it was refused')
  t.match(allowed.headers['access-control-expose-headers'], /Link/)
  const preflight = await as('none')('OPTIONS', '/v1/claims', undefined, {
    origin: 'https://desk.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type'
  })
  t.equal(preflight.statusCode, 204)
  t.match(preflight.headers['access-control-allow-methods'], /POST/)
  t.match(preflight.headers['access-control-allow-headers'], /Authorization/)
  const other = await as('viewer')('GET', '/v1/claims', undefined, { origin: 'https://evil.example' })
  t.notOk(other.headers['access-control-allow-origin'])
})

t.test('security headers, with a CSP that lets the Swagger UI run its own scripts', async (t) => {
  const { as } = await harness(t)
  const api = await as('viewer')('GET', '/v1/claims')
  t.equal(api.headers['x-content-type-options'], 'nosniff')
  t.match(api.headers['content-security-policy'], /default-src 'self'/)
  // The same set on successes, on errors raised before and after authentication, and off-route.
  for (const response of [api, await as('none')('GET', '/v1/claims'), await as('viewer')('GET', '/v1/claims/nope'), await as('none')('GET', '/nowhere')]) {
    t.equal(response.headers['x-frame-options'], 'SAMEORIGIN')
    t.match(response.headers['strict-transport-security'], /^max-age=\d+/)
    t.equal(response.headers['referrer-policy'], 'no-referrer')
    t.equal(response.headers['cross-origin-opener-policy'], 'same-origin')
    t.notOk(response.headers['x-powered-by'])
  }
  const docs = await as('none')('GET', '/docs/static/index.html')
  t.equal(docs.statusCode, 302, 'the UI lives at /docs/')
  const page = await as('none')('GET', '/docs/')
  t.equal(page.statusCode, 200)
  t.match(page.body, /swagger-initializer\.js/, 'its script is a file of our own origin, which script-src \'self\' allows')
  t.match(page.headers['content-security-policy'], /script-src 'self'/)
  t.notMatch(page.headers['content-security-policy'], /upgrade-insecure-requests/, 'plain http on localhost keeps working')
  t.equal((await as('none')('GET', '/docs/static/swagger-initializer.js')).statusCode, 200)
})

t.test('metrics in Prometheus format', async (t) => {
  const { as } = await harness(t)
  await as('editor')('POST', '/v1/claims', claimInput())
  await as('viewer')('GET', '/v1/claims')
  const res = await as('none')('GET', '/metrics')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain/)
  t.match(res.body, /http_requests_total\{method="GET",route="\/v1\/claims",status_code="200"\} 1/)
  t.match(res.body, /http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/v1\/claims",status_code="201"\}/)
  t.match(res.body, /claimledger_claims\{status="unverified"\} 1/)
  t.match(res.body, /claimledger_claims\{status="disputed"\} 0/)
  const head = (await as('viewer')('GET', '/v1/audit?limit=1000')).data.items.at(-1).seq
  t.match(res.body, new RegExp(`claimledger_audit_head_seq ${head}\\b`))
  t.match(res.body, /process_resident_memory_bytes/)
})
