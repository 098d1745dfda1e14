import SwaggerParser from '@apidevtools/swagger-parser'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { openapiPath, renderOpenapi } from '../scripts/openapi.js'
import { IDEMPOTENCY_TTL_MS } from '../src/modules/idempotency/service.js'
import { claimInput, harness } from './helpers.js'

interface Operation { tags?: string[], summary?: string, security?: unknown[], responses: Record<string, unknown> }
type Paths = Record<string, Record<string, Operation>>

t.test('openapi/openapi.json is exactly what the code generates (run `npm run openapi` to refresh it)', async (t) => {
  t.equal(readFileSync(openapiPath, 'utf8'), await renderOpenapi())
})

t.test('the served document is the committed one, and valid OpenAPI 3.1', async (t) => {
  const { as } = await harness(t)
  const served = await as('none')('GET', '/openapi.json')
  t.equal(served.statusCode, 200)
  t.same(served.data, JSON.parse(readFileSync(openapiPath, 'utf8')))
  await t.resolves(SwaggerParser.validate(structuredClone(served.data)))
})

t.test('integers carry their real bounds, not zod\'s safe-integer ones (Swagger UI showed -9007199254740991)', async (t) => {
  const text = readFileSync(openapiPath, 'utf8')
  t.notMatch(text, /9007199254740991/)
  const document = JSON.parse(text)
  t.same(document.components.schemas.BulkReviewItem.properties.expectedVersion, {
    description: 'Apply only if the claim is at this version (the bulk If-Match), else this item fails with 412',
    type: 'integer',
    minimum: 1
  }, 'a real bound stays')
})

t.test('every operation is tagged, summarised and documents its errors', async (t) => {
  const document = JSON.parse(readFileSync(openapiPath, 'utf8')) as { paths: Paths, components: { securitySchemes: object } }
  t.match(document.components.securitySchemes, { bearerAuth: { type: 'http', scheme: 'bearer' } })
  let operations = 0
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      operations++
      const name = `${method.toUpperCase()} ${path}`
      t.equal(op.tags?.length, 1, `${name} is listed once in the Swagger UI, under one tag`)
      t.ok(op.summary, `${name} has a summary`)
      if (!path.startsWith('/v1')) continue
      t.same(op.security, [{ bearerAuth: [] }], `${name} needs a bearer key`)
      t.ok(op.responses['401'] && op.responses['403'], `${name} documents 401 and 403`)
      if (path.includes('{id}')) t.ok(op.responses['404'], `${name} documents 404`)
      if (method === 'post' || method === 'patch') t.ok(op.responses['400'] && op.responses['415'], `${name} documents 400 and 415`)
    }
  }
  t.ok(operations >= 20)
})

t.test('the headers a write documents are the ones it sends, first time and replayed', async (t) => {
  const document = JSON.parse(readFileSync(openapiPath, 'utf8')) as { paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>> }
  const documented = (path: string, status: number) =>
    Object.keys(document.paths[path]?.post?.responses[String(status)]?.headers ?? {}).map((h) => h.toLowerCase()).sort()
  const sent = (headers: Record<string, unknown>, names: string[]) => names.filter((name) => headers[name] !== undefined).sort()
  const HEADERS = ['x-request-id', 'etag', 'location', 'idempotent-replayed', 'link']

  const { as } = await harness(t)
  const claim = (await as('editor')('POST', '/v1/claims', claimInput())).data
  const review = { verdict: 'unverified', note: 'Not yet checked', clientRef: 'desk:1' }
  const reviewPath = '/v1/claims/{id}/reviews'
  for (const status of [201, 200]) {
    const res = await as('reviewer')('POST', `/v1/claims/${claim.id as string}/reviews`, review)
    t.equal(res.statusCode, status)
    t.same(sent(res.headers, HEADERS), documented(reviewPath, status), `review ${status}`)
  }
  const bulk = { atomic: false, items: [{ claimId: claim.id, verdict: 'unverified', note: 'Still open' }] }
  const first = await as('reviewer')('POST', '/v1/reviews/bulk', bulk, { 'idempotency-key': 'batch-1' })
  const replayed = await as('reviewer')('POST', '/v1/reviews/bulk', bulk, { 'idempotency-key': 'batch-1' })
  t.equal(replayed.headers['idempotent-replayed'], 'true')
  t.same(sent(replayed.headers, HEADERS), documented('/v1/reviews/bulk', 200), 'bulk replayed')
  t.same(sent(first.headers, HEADERS), documented('/v1/reviews/bulk', 200).filter((h) => h !== 'idempotent-replayed'), 'bulk first time')
})

t.test('idempotent replays are documented for exactly as long as they are kept', async (t) => {
  const hours = IDEMPOTENCY_TTL_MS / 3_600_000
  t.equal(hours, 24)
  const document = JSON.parse(readFileSync(openapiPath, 'utf8')) as { paths: Record<string, Record<string, { description?: string, parameters?: Array<{ name: string, description?: string }> }>> }
  const bulk = document.paths['/v1/reviews/bulk']?.post
  t.match(bulk?.description, `for ${hours} hours the same key with the same body returns the stored response`)
  t.match(bulk?.parameters?.find((p) => p.name === 'idempotency-key')?.description, `within ${hours} h`)
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  t.match(readme, `stored answers are kept ${hours} hours`)
  t.match(readme, `within ${hours} hours returns the`)
})
