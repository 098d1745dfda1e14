import t from 'tap'
import { harness, sqliteOnly } from './helpers.js'

t.test('health and readiness need no key', async (t) => {
  const { as } = await harness(t)
  const health = await as('none')('GET', '/health')
  t.equal(health.statusCode, 200)
  t.same(health.data, { status: 'ok' })
  const ready = await as('none')('GET', '/ready')
  t.equal(ready.statusCode, 200)
  t.same(ready.data, { status: 'ready' })
})

t.test('ready answers 503 problem+json when the database is gone', sqliteOnly, async (t) => {
  const { as, database } = await harness(t)
  database.sqlite.close()
  const ready = await as('none')('GET', '/ready')
  t.equal(ready.statusCode, 503)
  t.match(ready.headers['content-type'], /^application\/problem\+json/)
  t.equal(ready.data.status, 503)
})
