/**
 * System actors (seed, bootstrap, the CLI) and API keys never share a name in the audit log:
 * the `system:` prefix is reserved, so an admin cannot name a key `system:cli` and pass its
 * writes off as the CLI's.
 */
import t from 'tap'
import { systemContext } from '../src/core/context.js'
import { Invalid } from '../src/core/errors.js'
import { newId } from '../src/db/ids.js'
import { dump, harness } from './helpers.js'

t.test('a key name starting with system: (any case) is refused with 400, over HTTP and from the CLI', async (t) => {
  const h = await harness(t)
  const before = await dump(h.engine)
  for (const name of ['system:cli', 'SYSTEM:bootstrap', '  System:seed x.json', 'system:']) {
    const res = await h.as('admin')('POST', '/v1/api-keys', { name, role: 'admin' })
    t.equal(res.statusCode, 400, JSON.stringify(name))
    t.match(res.data, { errors: [{ path: '/name', message: /reserved for system actors/ }] })
    const refused: unknown = await h.app.services.apiKeys.create(systemContext('cli', newId()), { name, role: 'admin' }).catch((error: unknown) => error)
    t.ok(refused instanceof Invalid && /reserved/.test(refused.message), `the service refuses ${name} too`)
  }
  t.same(await dump(h.engine), before, 'no key created')
  for (const name of ['systematic reviewer', 'not system:cli', 'system cli']) {
    t.equal((await h.as('admin')('POST', '/v1/api-keys', { name, role: 'viewer' })).statusCode, 201, `${name} is fine`)
  }
})

t.test('system actors are named with the prefix too, so no key name can equal one', async (t) => {
  const h = await harness(t)
  t.same(systemContext('cli', 'r').actor, { id: 'system:cli', name: 'system:cli', role: 'admin' })
  const events = (await h.as('admin')('GET', '/v1/audit?entityType=apikey')).data.items as Array<{ actor: { id: string, name: string } }>
  t.same(events.map((e) => e.actor), Array(events.length).fill({ id: 'system:test', name: 'system:test', role: 'admin' }),
    'the harness keys were created by a system actor, shown as such')
})
