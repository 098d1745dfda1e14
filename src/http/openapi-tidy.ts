/**
 * Post-processing of the generated OpenAPI document. fastify-type-provider-zod emits every
 * registered schema twice (`X` for output, `XInput` for input) whether used or not; we keep
 * only the components the paths reach, give an input-only schema its plain name, and name
 * success responses instead of leaving "Default Response". Every body gets its example on the
 * media type (see examples.ts), and zod's safe-integer bounds on `.int()` go: Swagger UI would
 * show -9007199254740991 as every integer's sample value.
 */
import { STATUS_CODES } from 'node:http'
import { csvExample, ndjsonExample } from '../modules/claims/transfer-examples.js'
import { componentExample } from './examples.js'
import { problemExamples } from './problem-examples.js'

type Json = Record<string, unknown>
const REF = '#/components/schemas/'

function refsIn (value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) refsIn(item, found)
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string' && child.startsWith(REF)) found.add(child.slice(REF.length))
      else refsIn(child, found)
    }
  }
}

function rewriteRefs (value: unknown, rename: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, rename))
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([key, child]) => {
    if (key === '$ref' && typeof child === 'string' && child.startsWith(REF)) {
      const name = child.slice(REF.length)
      return [key, REF + (rename.get(name) ?? name)]
    }
    return [key, rewriteRefs(child, rename)]
  }))
}

const HEADERS = {
  RequestId: { description: 'The request\'s id (an incoming valid X-Request-Id is echoed); audit events record it', schema: { type: 'string' } },
  ETag: { description: '`"<version>"` of the resource (after a review: of its claim; on 412: the current version), for If-Match and If-None-Match', schema: { type: 'string' } },
  Location: { description: 'Path of the created resource; on a 409 duplicate, of the existing one', schema: { type: 'string' } },
  Link: { description: '`<…>; rel="next"` when there is a next page (RFC 8288)', schema: { type: 'string' } },
  WWWAuthenticate: { description: '`Bearer`', schema: { type: 'string' } },
  RetryAfter: { description: 'Seconds until the key may call again', schema: { type: 'string' } },
  IdempotentReplayed: { description: '`true` when this is the stored answer to an earlier identical request, and nothing was applied again', schema: { type: 'string', enum: ['true'] } }
}
/** Streamed request bodies, text a record a line (or row); the example is an export's, which imports as it is. */
const STREAMED_BODIES: Record<string, { description: string, example: string }> = {
  'application/x-ndjson': { description: 'One ClaimCreate as JSON a line', example: ndjsonExample },
  'text/csv': { description: 'CSV with a header row of the export\'s columns (text, quote, speakerName, …), a claim a row', example: csvExample }
}

const header = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` })
/** Bodies whose response carries an ETag: a versioned resource, or a review with its claim (the claim's version). */
const VERSIONED = new Set(['Claim', 'Speaker', 'Source', 'ReviewCreated'].map((name) => REF + name))

/**
 * The headers each response carries, from its method, status and body schema. A POST that
 * creates (201) and may also answer 200 answers 200 when it replays an earlier request (a
 * review's clientRef), and a POST taking an Idempotency-Key replays stored answers.
 */
function responseHeaders (method: string, status: number, response: Json, operation: Json): Json {
  const ref = ((response.content as Record<string, { schema?: { $ref?: string } }> | undefined)?.['application/json']?.schema?.$ref) ?? ''
  const creates = (operation.responses as Record<string, unknown>)['201'] !== undefined
  const keyed = ((operation.parameters ?? []) as Array<{ name?: string }>).some((p) => p.name?.toLowerCase() === 'idempotency-key')
  const replay = method === 'post' && status === 200 && (creates || keyed)
  return {
    'X-Request-Id': header('RequestId'),
    ...((status < 300 && VERSIONED.has(ref)) || status === 412 ? { ETag: header('ETag') } : {}),
    ...(status === 201 || (status === 409 && method === 'post') || (replay && creates) ? { Location: header('Location') } : {}),
    ...(replay ? { 'Idempotent-Replayed': header('IdempotentReplayed') } : {}),
    ...(ref.endsWith('Page') ? { Link: header('Link') } : {}),
    ...(status === 401 ? { 'WWW-Authenticate': header('WWWAuthenticate') } : {}),
    ...(status === 429 ? { 'Retry-After': header('RetryAfter') } : {})
  }
}

export function tidyOpenapi<T extends Json> (document: T): T {
  const components = (document.components ?? {}) as Json
  const schemas = (components.schemas ?? {}) as Record<string, unknown>

  // Components reachable from the paths, following refs between components.
  const reachable = new Set<string>()
  refsIn(document.paths, reachable)
  for (const pending = [...reachable]; pending.length > 0;) {
    const more = new Set<string>()
    refsIn(schemas[pending.pop() as string], more)
    for (const name of more) if (!reachable.has(name)) { reachable.add(name); pending.push(name) }
  }

  const rename = new Map<string, string>()
  for (const name of reachable) {
    const plain = name.replace(/Input$/, '')
    if (plain !== name && !reachable.has(plain)) rename.set(name, plain)
  }
  const kept = Object.fromEntries([...reachable].sort().map((name) => [rename.get(name) ?? name, schemas[name]]))

  const paths = rewriteRefs(document.paths, rename) as Record<string, Record<string, Json>>
  for (const operations of Object.values(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      // Every DELETE body here (e.g. a claim's deletion reason) is optional.
      if (method === 'delete' && operation.requestBody !== undefined) (operation.requestBody as Json).required = false
      // Streamed bodies are text, a record a line (or row); the JSON schema describes only application/json.
      const content = (operation.requestBody as { content?: Record<string, unknown> } | undefined)?.content
      if (content !== undefined) {
        for (const type of Object.keys(content)) {
          const streamed = STREAMED_BODIES[type]
          if (streamed !== undefined) content[type] = { schema: { type: 'string', description: streamed.description }, example: streamed.example }
        }
        addExamples(content)
      }
      for (const [status, response] of Object.entries((operation.responses ?? {}) as Record<string, Json>)) {
        if (response.description === 'Default Response') response.description = STATUS_CODES[Number(status)] ?? 'Response'
        response.headers = responseHeaders(method, Number(status), response, operation)
        addExamples(response.content as Record<string, unknown> | undefined, problemExamples[Number(status)])
      }
    }
  }
  return withoutSafeIntegerBounds({
    ...document,
    paths,
    components: { ...components, schemas: rewriteRefs(kept, rename), headers: HEADERS }
  })
}

/**
 * Gives each media type its example, where Swagger UI looks first to prefill "Try it out" and
 * to show "Example Value": a component's as examples.ts recorded it, else a problem's from `problem`,
 * else an inline schema's (zod's `examples`) moved up from the schema.
 */
function addExamples (content: Record<string, unknown> | undefined, problem?: unknown): void {
  for (const [type, media] of Object.entries(content ?? {}) as Array<[string, Json]>) {
    if (media.example !== undefined) continue
    const schema = (media.schema ?? {}) as Json
    // A component's own example first (a problem with extensions of its own, say), then the status's problem.
    const component = typeof schema.$ref === 'string' ? componentExample(schema.$ref.slice(REF.length).replace(/Input$/, '')) : undefined
    const example = component ?? (type === 'application/problem+json' ? problem : (schema.examples as unknown[] | undefined)?.[0])
    if (example === undefined) continue
    media.example = example
    delete schema.examples
  }
}

/** zod's `.int()` bounds (±(2^53 − 1)) say nothing a client needs; the real bounds stay. */
function withoutSafeIntegerBounds<T> (value: T): T {
  if (Array.isArray(value)) return value.map(withoutSafeIntegerBounds) as T
  if (value === null || typeof value !== 'object') return value
  const kept = Object.entries(value).filter(([key, child]) =>
    !((key === 'minimum' && child === Number.MIN_SAFE_INTEGER) || (key === 'maximum' && child === Number.MAX_SAFE_INTEGER)))
  return Object.fromEntries(kept.map(([key, child]) => [key, withoutSafeIntegerBounds(child)])) as T
}
