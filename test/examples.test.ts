/**
 * The OpenAPI document's examples: each is valid for the zod schema it illustrates, nothing in
 * the document escapes that check, every body has one, and Swagger UI's "Try it out" succeeds
 * with what it generates from them on a freshly seeded database.
 */
import { isDeepStrictEqual } from 'node:util'
import t from 'tap'
import { renderOpenapi } from '../scripts/openapi.js'
import { documentedExamples } from '../src/http/examples.js'
import { loadSeeds } from '../src/seed.js'
import { harness } from './helpers.js'

type Json = Record<string, any>
interface Parameter { in: string, name: string, required?: boolean, example?: unknown, schema?: { default?: unknown } }
interface Operation { parameters?: Parameter[], requestBody?: { content: Record<string, Json> }, responses: Record<string, { content?: Record<string, Json> }> }

const document = JSON.parse(await renderOpenapi()) as { paths: Record<string, Record<string, Operation>> }
const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ path, method, operation, name: `${method.toUpperCase()} ${path}` })))

/** True when every field `example` gives is in `parsed` with the same value (parsing may add defaults, never change). */
function keptIn (parsed: unknown, example: unknown): boolean {
  if (Array.isArray(example)) {
    return Array.isArray(parsed) && parsed.length === example.length && example.every((item, i) => keptIn(parsed[i], item))
  }
  if (example !== null && typeof example === 'object') {
    return parsed !== null && typeof parsed === 'object' &&
      Object.entries(example).every(([key, value]) => keptIn((parsed as Json)[key], value))
  }
  return Object.is(parsed, example)
}

t.test('every documented example is valid for its schema, as it is (no field dropped or rewritten)', async (t) => {
  t.ok(documentedExamples().length >= 40, 'the examples are registered')
  for (const { schema, example, component } of documentedExamples()) {
    const name = component ?? JSON.stringify(example).slice(0, 60)
    const parsed = schema.safeParse(example)
    t.ok(parsed.success, `${name} parses`, { issues: parsed.error?.issues })
    if (parsed.success) t.ok(keptIn(parsed.data, example), `${name} comes out of its schema unchanged`, { parsed: parsed.data })
  }
})

/** Every `example` and `examples` in the document, with a JSON pointer to it. */
function examplesIn (value: unknown, pointer: string, found: Array<[string, unknown]>): Array<[string, unknown]> {
  if (Array.isArray(value)) value.forEach((item, i) => examplesIn(item, `${pointer}/${i}`, found))
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'example') found.push([`${pointer}/example`, child])
      else if (key === 'examples' && Array.isArray(child)) child.forEach((item, i) => found.push([`${pointer}/examples/${i}`, item]))
      else if (key === 'examples' && child !== null && typeof child === 'object') {
        for (const [name, named] of Object.entries(child)) found.push([`${pointer}/examples/${name}`, (named as Json).value])
      } else examplesIn(child, `${pointer}/${key}`, found)
    }
  }
  return found
}

t.test('every example in the document is one of those checked above', async (t) => {
  const checked = documentedExamples().map(({ example }) => JSON.parse(JSON.stringify(example)))
  const found = examplesIn(document, '', [])
  t.ok(found.length >= 100, `${found.length} examples in the document`)
  for (const [pointer, example] of found) {
    t.ok(checked.some((c) => isDeepStrictEqual(c, example)), `${pointer} was added with documentExample(), exemplified() or exampleOf()`)
  }
})

t.test('every request body, success body and problem has an example', async (t) => {
  for (const { name, operation } of operations) {
    for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
      t.not(media.example, undefined, `${name} request ${type}`)
    }
    for (const [status, response] of Object.entries(operation.responses)) {
      for (const [type, media] of Object.entries(response.content ?? {})) {
        t.not(media.example, undefined, `${name} ${status} ${type}`)
      }
    }
  }
})

/** The request Swagger UI sends on Execute when nothing was typed in: examples, else defaults. */
function generated (path: string, operation: Operation): { url: string, body?: unknown } | undefined {
  let url = path
  const query = new URLSearchParams()
  for (const parameter of operation.parameters ?? []) {
    const value = parameter.example ?? parameter.schema?.default
    if (value === undefined) {
      if (parameter.required === true) return undefined // Swagger UI would ask for it
      continue
    }
    if (parameter.in === 'path') url = url.replace(`{${parameter.name}}`, String(value))
    if (parameter.in === 'query') query.set(parameter.name, String(value))
  }
  const search = query.toString()
  return { url: search === '' ? url : `${url}?${search}`, body: operation.requestBody?.content['application/json']?.example }
}

t.test('the streamed import examples (an export\'s NDJSON and CSV) import as they are', async (t) => {
  const { app, as } = await harness(t)
  await loadSeeds(app.services)
  const content = document.paths['/v1/claims/import']!.post!.requestBody!.content
  const ndjson = await as('editor')('POST', '/v1/claims/import', content['application/x-ndjson']!.example,
    { 'content-type': 'application/x-ndjson' })
  t.match(ndjson.data, { created: 1, duplicates: 0, failed: 0 })
  const csv = await as('editor')('POST', '/v1/claims/import', content['text/csv']!.example, { 'content-type': 'text/csv' })
  t.match(csv.data, { created: 0, duplicates: 1, failed: 0 }, 'the same claim: a duplicate of the one just imported')
})

t.test('"Try it out" as generated succeeds on every operation it can run, on a freshly seeded database', async (t) => {
  const { app, as } = await harness(t)
  await loadSeeds(app.services)
  // Deleting a seeded speaker or source is refused while the seeded claims name them (409), as documented.
  const refusedByDesign = new Set(['DELETE /v1/speakers/{id}', 'DELETE /v1/sources/{id}'])
  const ran: string[] = []
  // Deletions last, so that the other operations still find what the examples name.
  const ordered = [...operations.filter((o) => o.method !== 'delete'), ...operations.filter((o) => o.method === 'delete')]
  for (const { path, method, operation, name } of ordered) {
    const request = generated(path, operation)
    if (request === undefined) continue
    const response = await as('admin')(method.toUpperCase() as 'GET', request.url, request.body)
    if (refusedByDesign.has(name)) t.equal(response.statusCode, 409, name)
    else t.ok(response.statusCode < 300, `${name} → ${response.statusCode}`, { body: response.data })
    ran.push(name)
  }
  for (const required of ['POST /v1/claims', 'POST /v1/claims/{id}/reviews', 'POST /v1/reviews/bulk', 'PATCH /v1/claims/{id}',
    'GET /v1/claims/{id}', 'GET /v1/speakers/{id}', 'GET /v1/sources/{id}', 'GET /v1/claims/{id}/claimreview']) {
    t.ok(ran.includes(required), `${required} runs as generated`)
  }
})
