/**
 * OpenAPI 3.1 from the routes' zod schemas, the Swagger UI at /docs (with "Authorize" for
 * the bearer key) and the document at /openapi.json. `openapi/openapi.json` is this output,
 * committed and checked by a test.
 */
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { exemplified } from './examples.js'
import { tidyOpenapi } from './openapi-tidy.js'
import { problems } from './schemas.js'

export const API_DESCRIPTION = `Claimledger stores attributable claims (who said what, where and when) and
reviewers' verdicts on them, with a tamper-evident audit history of every change.

**Authentication.** Every \`/v1\` call needs \`Authorization: Bearer <api key>\`; use "Authorize" above.
Roles: viewer < reviewer < editor < admin.

**Conventions.** JSON in and out, camelCase. Times are RFC 3339 UTC with milliseconds; calendar dates are
\`YYYY-MM-DD\`. Ids are UUID v7. Strings are trimmed and an empty-after-trim optional field counts as
missing. Bodies are UTF-8 (JSON, NDJSON and CSV alike): one that is not gets 400 \`invalid-encoding\` with the
\`line\` it failed on, and no string may hold an unpaired surrogate or a NUL character. Unknown body fields and unknown query parameters are rejected with 400. Mutable resources carry
\`version\` and \`ETag: "<version>"\`; \`If-Match\` on PATCH/DELETE makes a write conditional (412 when stale,
a malformed tag never matches), \`If-None-Match\` on a GET gives 304. Every response has \`X-Request-Id\`
(a valid incoming one — 1 to 128 of \`A-Z a-z 0-9 . _ : -\` — is echoed).

**Errors** are RFC 9457 \`application/problem+json\` with \`type\`, \`title\`, \`status\`, \`detail\`,
\`instance\`, \`requestId\`, and \`errors[]\` (JSON-pointer \`path\` + \`message\`) for validation. A method
that a path does not support gets 405 with \`Allow\` listing the ones it does; an unknown path gets 404.

**Lists** use keyset pagination: \`{ items, nextCursor }\`, \`nextCursor\` null on the last page, also as
\`Link: <…>; rel="next"\`. Speakers, sources and API keys list oldest first.

**Examples** come from the article the service is seeded with (Mail Online, 21 October 2020) and name its
seeded claims, speakers and source by the fixed ids the seed gives them, so on a freshly seeded database
"Try it out" succeeds as prefilled. Run twice, POST /v1/claims and POST /v1/speakers answer 409 (they exist by
then); reviews carry no If-Match or \`expectedVersion\`, so they apply again.`

async function docs (app: FastifyInstance, opts: { version: string }) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Claimledger API', version: opts.version, description: API_DESCRIPTION },
      tags: [
        { name: 'Claims', description: 'Attributable statements: who said what, where and when' },
        { name: 'Reviews', description: 'Verdicts on claims: corroborated, disputed or unverified, with evidence' },
        { name: 'Speakers', description: 'Who makes claims' },
        { name: 'Sources', description: 'Where claims were made or reported' },
        { name: 'Audit', description: 'The append-only, hash-chained history of every change' },
        { name: 'API keys', description: 'Who may call the API, and with which role' },
        { name: 'Service', description: 'Liveness, readiness and this document' }
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key, e.g. the admin key printed at first start' }
        }
      }
    },
    transform: jsonSchemaTransform,
    transformObject: (document) => tidyOpenapi(jsonSchemaTransformObject(document) as Record<string, unknown>) as ReturnType<typeof jsonSchemaTransformObject>
  })

  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { persistAuthorization: true, displayRequestDuration: true, tryItOutEnabled: true },
    // The UI's own CSP (script hashes), minus upgrade-insecure-requests (see protection.ts),
    // plus inline style attributes, which the UI sets from its scripts (found in Chromium).
    staticCSP: true,
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, '')
      .replace(/style-src ([^;]*);/, (_, sources: string) => `style-src ${sources.trim()} 'unsafe-inline';`)
  })

  // The example is the document's head only: the whole of it is what this route serves.
  const documentHead = { openapi: '3.1.0', info: { title: 'Claimledger API', version: opts.version }, paths: { '/v1/claims': {} } }
  app.get('/openapi.json', {
    schema: { tags: ['Service'], summary: 'This OpenAPI 3.1 document', response: { 200: exemplified(z.record(z.string(), z.unknown()), documentHead) } }
  }, async () => app.swagger())

  /**
   * Documented once, here: routes that read a body can also answer 413 and 415, and routes
   * that write can answer 503 and 507 when the database's storage fails (http/problems.ts).
   */
  app.addHook('onRoute', (route) => {
    const writes = route.url.startsWith('/v1') && [route.method].flat().some((method) => method !== 'GET' && method !== 'HEAD')
    const statuses = [...(route.schema?.body === undefined ? [] : [413, 415]), ...(writes ? [503, 507] : [])]
    if (route.schema === undefined || statuses.length === 0) return
    route.schema.response = { ...(route.schema.response as object), ...problems(...statuses) }
  })
}

export default fp(docs, { name: 'docs', dependencies: ['guard'] })
