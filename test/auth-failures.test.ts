/**
 * Failed authentications are throttled per client address: the per-key rate limit cannot
 * see requests whose key is wrong, so without this an address could guess keys unbounded.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { clientKey, createAuthFailures } from '../src/modules/auth/failures.js'
import { harness } from './helpers.js'

t.test('past AUTH_FAILURES_PER_MINUTE wrong keys, the address gets 429 with Retry-After, even for a right key', async (t) => {
  const { app, keys } = await harness(t, { AUTH_FAILURES_PER_MINUTE: '3', METRICS_TOKEN: 'scrape-token-0123456789abcdef' })
  const call = (key: string | undefined, remoteAddress = '203.0.113.7', url = '/v1/me') => app.inject({
    method: 'GET', url, remoteAddress, headers: key === undefined ? {} : { authorization: `Bearer ${key}` }
  })
  t.equal((await call(undefined)).statusCode, 401, 'no key at all is not a guess: not counted')
  for (let i = 0; i < 2; i++) t.equal((await call(`clk_guess${i}`)).statusCode, 401)
  t.equal((await call('wrong-metrics-token', '203.0.113.7', '/metrics')).statusCode, 401, 'a wrong metrics token counts too')
  for (const key of ['clk_guess4', keys.viewer]) {
    const res = await call(key)
    t.equal(res.statusCode, 429, 'refused before the key is looked at')
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    const retryAfter = Number(res.headers['retry-after'])
    t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`)
    t.match(JSON.parse(res.body), { status: 429, title: 'Too many requests', detail: /failed authentications from this address/ })
  }
  t.equal((await call(keys.viewer, '203.0.113.7', '/metrics')).statusCode, 429, '/metrics too')
  t.equal((await call(keys.viewer, '198.51.100.1')).statusCode, 200, 'another address is unaffected')
  t.equal((await call(undefined, '203.0.113.7', '/health')).statusCode, 200, 'public routes stay open')
})

t.test('an IPv6 client counts per /64; IPv4-mapped addresses as IPv4', async (t) => {
  t.equal(clientKey('2001:db8:1:2:aaaa::1'), clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff'))
  t.not(clientKey('2001:db8:1:2::1'), clientKey('2001:db8:1:3::1'))
  t.equal(clientKey('::ffff:192.0.2.1'), '192.0.2.1')
  t.equal(clientKey('192.0.2.1'), '192.0.2.1')
  t.equal(clientKey('not an address'), 'not an address')
})

t.test('memory stays bounded, and a window ends', async (t) => {
  const failures = createAuthFailures({ perMinute: 1, windowMs: 50, capacity: 3 })
  for (let i = 0; i < 10; i++) failures.failed(`192.0.2.${i}`)
  t.equal(failures.size, 3, 'at most `capacity` addresses are remembered')
  t.equal(failures.refusal('192.0.2.9')?.status, 429)
  t.equal(failures.refusal('192.0.2.8')?.status, 429)
  t.equal(failures.refusal('192.0.2.0'), undefined, 'the oldest were forgotten')
  await sleep(100)
  t.equal(failures.refusal('192.0.2.9'), undefined, 'after its window the address may try again')
})
