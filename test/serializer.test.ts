import t from 'tap'
import { z } from 'zod'
import { createSerializerCompiler } from '../src/http/serializer.js'

const schema = z.object({ name: z.string(), count: z.number().int(), note: z.string().nullable() })
const compile = (validate: boolean) =>
  createSerializerCompiler({ validate })({ schema, method: 'GET', url: '/x', httpStatus: '200' }) as (data: unknown) => string

t.test('responses: declared fields only, in JSON; required fields enforced', async (t) => {
  const stringify = compile(false)
  t.strictSame(JSON.parse(stringify({ name: 'Aliyev', count: 2, note: null, secret: 'x' })), { name: 'Aliyev', count: 2, note: null },
    'an undeclared field never leaks')
  t.throws(() => stringify({ count: 2, note: null }), /name/, 'a missing required field is refused')
})

t.test('with validateResponses (the tests), a value of the wrong type fails instead of being coerced', async (t) => {
  t.equal(compile(false)({ name: null, count: 2.7, note: null }), '{"name":"","count":2,"note":null}', 'production: coerced, as fast-json-stringify does')
  t.throws(() => compile(true)({ name: null, count: 2.7, note: null }), { code: 'FST_ERR_RESPONSE_SERIALIZATION', statusCode: 500 })
  t.equal(compile(true)({ name: 'Aliyev', count: 2, note: null }), '{"name":"Aliyev","count":2,"note":null}')
})
