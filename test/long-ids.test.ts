/**
 * "404 for an id that is not a UUID" holds at any length: ids past find-my-way's default
 * maxParamLength (100) used to get 400.
 */
import t from 'tap'
import { dump, harness } from './helpers.js'

/** Bodies that pass validation, so that only the id decides the answer. */
const BODIES: Record<string, unknown> = {
  'PATCH /v1/claims/{id}': { text: 'Changed' },
  'PATCH /v1/speakers/{id}': { name: 'Changed' },
  'PATCH /v1/sources/{id}': { title: 'Changed' },
  'POST /v1/claims/{id}/reviews': { verdict: 'unverified', note: 'A note' },
  'POST /v1/claims/{id}/appearances': { source: { title: 'A source', kind: 'article' }, appearedAt: '2020-10-22' }
}

t.test('every {id} route answers 404 problem+json for a non-UUID id of any length', async (t) => {
  const h = await harness(t)
  const doc = (await h.as('none')('GET', '/openapi.json')).data as { paths: Record<string, Record<string, unknown>> }
  const routes = Object.entries(doc.paths).filter(([path]) => path.includes('{'))
    .flatMap(([path, item]) => Object.keys(item).filter((m) => ['get', 'post', 'patch', 'delete'].includes(m))
      .map((method) => [method.toUpperCase(), path] as const))
  t.ok(routes.length >= 15, `${routes.length} routes with an id`)
  const before = await dump(h.engine)
  for (const [method, path] of routes) {
    for (const length of [36, 100, 101, 1000, 8000]) {
      const id = 'x'.repeat(length)
      const url = path.replace(/\{[^}]+\}/g, id)
      const res = await h.as('admin')(method as 'GET', url, BODIES[`${method} ${path}`])
      t.equal(res.statusCode, 404, `${method} ${path} with a ${length}-character id`)
      t.match(res.headers['content-type'], /^application\/problem\+json/)
      t.equal(res.data?.instance, url)
    }
  }
  t.same(await dump(h.engine), before, 'nothing written')
})
