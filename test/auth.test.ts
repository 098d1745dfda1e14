import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { buildApp } from '../src/app.js'
import { systemContext } from '../src/core/context.js'
import { ROLES, type Role } from '../src/core/context.js'
import { RECHECK_MS } from '../src/modules/auth/service.js'
import { loadConfig } from '../src/config.js'
import { newId } from '../src/db/ids.js'
import { openSqliteEngine } from '../src/db/sqlite/engine.js'
import { createServices } from '../src/modules/container.js'
import type { AnyEngine } from '../src/db/connect.js'
import { ADMIN_KEY, claimInput, dump, harness, sqliteOnly, type Harness, type Response } from './helpers.js'
import { countRows, query } from './support/engines.js'

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const HARNESS_NAMES: Record<Role, string> = {
  viewer: 'viewer key', reviewer: 'reviewer key', editor: 'editor key', admin: 'admin (ADMIN_API_KEY)'
}

type Tap = Test

function isProblem (t: Tap, res: Response, status: number, instance: string) {
  t.equal(res.statusCode, status, `status ${status}`)
  t.match(res.headers['content-type'], /^application\/problem\+json/, 'problem+json')
  t.strictSame(Object.keys(res.data).filter((k) => k !== 'errors').sort(),
    ['detail', 'instance', 'requestId', 'status', 'title', 'type'], 'problem fields')
  t.equal(res.data.status, status)
  t.equal(res.data.instance, instance)
  t.equal(res.data.requestId, res.headers['x-request-id'])
  t.type(res.data.type, 'string')
  t.ok(res.data.title.length > 0 && res.data.detail.length > 0, 'title and detail present')
}

function is401 (t: Tap, res: Response, instance = '/v1/me') {
  isProblem(t, res, 401, instance)
  t.match(String(res.headers['www-authenticate']), /^Bearer/, 'WWW-Authenticate: Bearer')
}

/** id of each harness key, looked up by name through the API. */
async function keyIds (h: Harness): Promise<Record<Role, string>> {
  const list = await h.as('admin')('GET', '/v1/api-keys?limit=200')
  const ids = {} as Record<Role, string>
  for (const role of ROLES) ids[role] = list.data.items.find((k: { name: string }) => k.name === HARNESS_NAMES[role]).id
  return ids
}

const apikeyEvents = async (h: Harness) =>
  (await h.as('admin')('GET', '/v1/audit?entityType=apikey&limit=1000')).data.items as any[]

const countKeys = async (h: { engine: AnyEngine }) => await countRows(h.engine, 'api_keys')

t.test('GET /v1/me returns exactly the calling key', async (t) => {
  const h = await harness(t)
  const ids = await keyIds(h)
  for (const role of ROLES) {
    const me = await h.as(role)('GET', '/v1/me')
    t.equal(me.statusCode, 200, role)
    t.strictSame(me.data, { id: ids[role], name: HARNESS_NAMES[role], role }, role)
  }
})

t.test('401 problem+json with WWW-Authenticate: Bearer', async (t) => {
  const h = await harness(t)
  is401(t, await h.as('none')('GET', '/v1/me'))
  is401(t, await h.as('none')('GET', '/v1/me', undefined, { authorization: 'Basic abc' }))
  is401(t, await h.as('none')('GET', '/v1/me', undefined, { authorization: 'Bearer' }))
  is401(t, await h.as('')('GET', '/v1/me'))
  is401(t, await h.as('clk_this-key-does-not-exist-0123456789abcdefghij')('GET', '/v1/me'))
  // the admin key with one character changed
  is401(t, await h.as(ADMIN_KEY.slice(0, -1) + 'X')('GET', '/v1/me'))

  const created = await h.as('admin')('POST', '/v1/api-keys', { name: 'short-lived', role: 'editor' })
  t.equal((await h.as(created.data.key)('GET', '/v1/me')).statusCode, 200)
  t.equal((await h.as('admin')('DELETE', `/v1/api-keys/${created.data.id}`)).statusCode, 204)
  is401(t, await h.as(created.data.key)('GET', '/v1/me'))
  is401(t, await h.as(created.data.key)('GET', '/v1/claims'), '/v1/claims')
})

t.test('POST /v1/api-keys creates a working, random, hashed key', async (t) => {
  const h = await harness(t)
  const a = await h.as('admin')('POST', '/v1/api-keys', { name: '  bulk-review script ', role: 'reviewer' })
  t.equal(a.statusCode, 201)
  t.strictSame(Object.keys(a.data).sort(), ['createdAt', 'id', 'key', 'name', 'role'])
  t.match(a.data.id, UUID_V7)
  t.equal(a.data.name, 'bulk-review script', 'name trimmed')
  t.equal(a.data.role, 'reviewer')
  t.match(a.data.createdAt, TIME)
  t.equal(a.headers.location, `/v1/api-keys/${a.data.id}`)
  t.type(a.data.key, 'string')
  t.ok(a.data.key.length >= 43, `key has >= 43 chars (${a.data.key.length})`)
  t.notMatch(a.data.key, /\s/, 'no whitespace in key')

  const b = await h.as('admin')('POST', '/v1/api-keys', { name: 'bulk-review script', role: 'reviewer' })
  t.equal(b.statusCode, 201)
  t.not(b.data.key, a.data.key, 'keys differ')
  t.not(b.data.id, a.data.id, 'ids differ')

  const me = await h.as(a.data.key)('GET', '/v1/me')
  t.equal(me.statusCode, 200)
  t.strictSame(me.data, { id: a.data.id, name: 'bulk-review script', role: 'reviewer' })

  const stored = JSON.stringify(await dump(h.engine))
  for (const key of [a.data.key, b.data.key, ADMIN_KEY, h.keys.viewer]) {
    t.notOk(stored.includes(key), 'key not stored in plain text anywhere')
  }
  for (const [table, rows] of Object.entries(await dump(h.engine))) {
    for (const row of rows as Record<string, unknown>[]) {
      for (const [column, value] of Object.entries(row)) {
        if (String(value).includes(a.data.key)) t.fail(`${table}.${column} holds the key`)
      }
    }
  }
})

t.test('POST /v1/api-keys rejects bad input (400) and changes nothing', async (t) => {
  const h = await harness(t)
  const before = await dump(h.engine)
  const bad: unknown[] = [
    { name: 'x', role: 'superuser' },
    { name: 'x', role: 'Admin' },
    { name: 'x' },
    { role: 'viewer' },
    { name: '   ', role: 'viewer' },
    { name: 'x'.repeat(201), role: 'viewer' },
    { name: 'x', role: 'viewer', key: 'my-own-chosen-key-0123456789abcdefghijklmnop' },
    { name: 'x', role: 'viewer', admin: true },
    [],
    '{"name":'
  ]
  for (const body of bad) {
    const res = await h.as('admin')('POST', '/v1/api-keys', body, { 'content-type': 'application/json' })
    t.equal(res.statusCode, 400, JSON.stringify(body))
    isProblem(t, res, 400, '/v1/api-keys')
  }
  const unknown = await h.as('admin')('POST', '/v1/api-keys', { name: 'x', role: 'viewer', extra: 1 })
  t.match(unknown.data.errors, [{ path: '/extra' }], 'unknown field is named')
  t.strictSame(await dump(h.engine), before, 'nothing written')
})

t.test('non-admin roles get 403 on every api-keys route', async (t) => {
  const h = await harness(t)
  const before = await dump(h.engine)
  const ids = await keyIds(h)
  for (const role of ['viewer', 'reviewer', 'editor'] as const) {
    isProblem(t, await h.as(role)('POST', '/v1/api-keys', { name: 'x', role: 'admin' }), 403, '/v1/api-keys')
    isProblem(t, await h.as(role)('GET', '/v1/api-keys'), 403, '/v1/api-keys')
    isProblem(t, await h.as(role)('DELETE', `/v1/api-keys/${ids.viewer}`), 403, `/v1/api-keys/${ids.viewer}`)
  }
  t.strictSame(await dump(h.engine), before, 'nothing written')
})

t.test('GET /v1/api-keys: no secrets, revokedAt, paginates exactly once', async (t) => {
  const h = await harness(t)
  const created = []
  for (const name of ['k1', 'k2', 'k3']) created.push((await h.as('admin')('POST', '/v1/api-keys', { name, role: 'viewer' })).data)
  t.equal((await h.as('admin')('DELETE', `/v1/api-keys/${created[1].id}`)).statusCode, 204)

  const rows = await query(h.engine, 'SELECT * FROM api_keys')
  t.equal(rows.length, 7)
  const seen: any[] = []
  let url = '/v1/api-keys?limit=2'
  const sizes: number[] = []
  for (let page = 0; page < 10; page++) {
    const res = await h.as('admin')('GET', url)
    t.equal(res.statusCode, 200)
    t.strictSame(Object.keys(res.data).sort(), ['items', 'nextCursor'])
    sizes.push(res.data.items.length)
    seen.push(...res.data.items)
    const body = res.body
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (typeof value === 'string' && !UUID_V7.test(value) && !TIME.test(value) && value.length >= 32) {
          t.notOk(body.includes(value), `list does not expose api_keys.${column}`)
        }
      }
    }
    for (const key of [ADMIN_KEY, h.keys.viewer, created[0].key]) t.notOk(body.includes(key), 'no key in list')
    if (res.data.nextCursor === null) {
      t.notOk(res.headers.link, 'no Link on last page')
      break
    }
    t.type(res.data.nextCursor, 'string')
    t.match(String(res.headers.link), /rel="next"/)
    url = `/v1/api-keys?limit=2&cursor=${encodeURIComponent(res.data.nextCursor)}`
  }
  t.strictSame(sizes, [2, 2, 2, 1])
  for (const item of seen) t.strictSame(Object.keys(item).sort(), ['createdAt', 'id', 'name', 'revokedAt', 'role'])
  const ids = seen.map((k) => k.id)
  t.strictSame(ids, rows.map((r) => r.id as string).sort(), 'every key exactly once, oldest first')
  for (const item of seen) {
    if (item.id === created[1].id) t.match(item.revokedAt, TIME)
    else t.equal(item.revokedAt, null, `${item.name} not revoked`)
  }
  isProblem(t, await h.as('admin')('GET', '/v1/api-keys?cursor=not-a-cursor'), 400, '/v1/api-keys')
  isProblem(t, await h.as('admin')('GET', '/v1/api-keys?limit=0'), 400, '/v1/api-keys')
})

t.test('DELETE /v1/api-keys/:id', async (t) => {
  const h = await harness(t)
  const ids = await keyIds(h)
  const del = (id: string, who = 'admin') => h.as(who)('DELETE', `/v1/api-keys/${id}`)

  t.equal((await h.as('editor')('GET', '/v1/me')).statusCode, 200, 'the key works (and is now known to the server)')
  const first = await del(ids.editor)
  t.equal(first.statusCode, 204)
  t.equal(first.body, '')
  const events = (await apikeyEvents(h)).length
  const again = await del(ids.editor)
  t.equal(again.statusCode, 204, 'revoking twice is idempotent')
  t.equal((await apikeyEvents(h)).length, events, 'no second apikey.revoked event')
  t.equal((await h.as('editor')('GET', '/v1/me')).statusCode, 401)

  const unknown = newId()
  isProblem(t, await del(unknown), 404, `/v1/api-keys/${unknown}`)
  isProblem(t, await del('not-a-uuid'), 404, '/v1/api-keys/not-a-uuid')

  // the harness admin key is the only admin: revoking it would lock everyone out
  const before = await dump(h.engine)
  isProblem(t, await del(ids.admin), 409, `/v1/api-keys/${ids.admin}`)
  t.strictSame(await dump(h.engine), before, '409 changed nothing')
  t.equal((await h.as('admin')('GET', '/v1/me')).statusCode, 200)

  // a second admin makes the first revocable; then the second is the last one
  const second = (await h.as('admin')('POST', '/v1/api-keys', { name: 'admin 2', role: 'admin' })).data
  t.equal((await del(ids.admin, second.key)).statusCode, 204)
  t.equal((await h.as('admin')('GET', '/v1/me')).statusCode, 401, 'revoked admin key stops working')
  isProblem(t, await del(second.id, second.key), 409, `/v1/api-keys/${second.id}`)
  // a revoked admin key does not count as active
  const third = (await h.as(second.key)('POST', '/v1/api-keys', { name: 'admin 3', role: 'admin' })).data
  t.equal((await del(second.id, third.key)).statusCode, 204)
  isProblem(t, await del(third.id, third.key), 409, `/v1/api-keys/${third.id}`)
})

t.test('audit: apikey.created and apikey.revoked', async (t) => {
  const h = await harness(t)
  const ids = await keyIds(h)
  const res = await h.as('admin')('POST', '/v1/api-keys', { name: 'auditor', role: 'editor' })
  const created = res.data
  let events = await apikeyEvents(h)
  const mine = events.filter((e) => e.entityId === created.id)
  t.equal(mine.length, 1)
  const ev = mine[0]
  t.equal(ev.action, 'apikey.created')
  t.equal(ev.entityType, 'apikey')
  t.strictSame(ev.changes, { name: { from: null, to: 'auditor' }, role: { from: null, to: 'editor' } })
  t.strictSame(ev.actor, { id: ids.admin, name: HARNESS_NAMES.admin, role: 'admin' })
  t.equal(ev.requestId, res.headers['x-request-id'])
  t.equal(ev.at, created.createdAt)
  const [keyRow = {}] = await query(h.engine, 'SELECT * FROM api_keys WHERE id = ?', created.id)
  const feed = JSON.stringify(events)
  t.notOk(feed.includes(created.key), 'feed never holds a key')
  for (const value of Object.values(keyRow)) {
    if (typeof value === 'string' && /^[0-9a-f]{64}$/i.test(value)) t.notOk(feed.includes(value), 'feed never holds a hash')
  }

  const revoke = await h.as('admin')('DELETE', `/v1/api-keys/${created.id}`, undefined, { 'x-request-id': 'revoke-req-1' })
  t.equal(revoke.statusCode, 204)
  events = await apikeyEvents(h)
  const revoked = events.filter((e) => e.entityId === created.id && e.action === 'apikey.revoked')
  t.equal(revoked.length, 1)
  t.equal(revoked[0].entityType, 'apikey')
  t.equal(revoked[0].requestId, 'revoke-req-1')
  t.strictSame(revoked[0].actor, { id: ids.admin, name: HARNESS_NAMES.admin, role: 'admin' })
  const listed = (await h.as('admin')('GET', '/v1/api-keys?limit=200')).data.items.find((k: any) => k.id === created.id)
  t.strictSame(revoked[0].changes, { revokedAt: { from: null, to: listed.revokedAt } })
  t.notOk(JSON.stringify(events).includes(created.key))
  t.equal(events.filter((e) => e.action === 'apikey.created').length, 5, '4 harness keys + 1')
  const verify = await h.as('admin')('GET', '/v1/audit/verify')
  t.equal(verify.data.ok, true, 'chain intact')
})

// ---- role matrix ------------------------------------------------------------------------

interface Entry { method: string, path: string, role: Role, body?: (tag: string) => unknown }
const MATRIX: Entry[] = [
  { method: 'GET', path: '/v1/me', role: 'viewer' },
  { method: 'GET', path: '/v1/api-keys', role: 'admin' },
  { method: 'POST', path: '/v1/api-keys', role: 'admin', body: (tag) => ({ name: tag, role: 'viewer' }) },
  { method: 'GET', path: '/v1/api-keys/{id}', role: 'admin' },
  { method: 'DELETE', path: '/v1/api-keys/{id}', role: 'admin' },
  { method: 'GET', path: '/v1/speakers', role: 'viewer' },
  { method: 'POST', path: '/v1/speakers', role: 'editor', body: (tag) => ({ name: tag }) },
  { method: 'GET', path: '/v1/speakers/{id}', role: 'viewer' },
  { method: 'PATCH', path: '/v1/speakers/{id}', role: 'editor', body: (tag) => ({ name: tag }) },
  { method: 'DELETE', path: '/v1/speakers/{id}', role: 'editor' },
  { method: 'GET', path: '/v1/sources', role: 'viewer' },
  { method: 'POST', path: '/v1/sources', role: 'editor', body: (tag) => ({ title: tag }) },
  { method: 'GET', path: '/v1/sources/{id}', role: 'viewer' },
  { method: 'PATCH', path: '/v1/sources/{id}', role: 'editor', body: (tag) => ({ title: tag }) },
  { method: 'DELETE', path: '/v1/sources/{id}', role: 'editor' },
  { method: 'GET', path: '/v1/claims', role: 'viewer' },
  { method: 'POST', path: '/v1/claims', role: 'editor', body: (tag) => claimInput({ text: tag }) },
  { method: 'GET', path: '/v1/claims/{id}', role: 'viewer' },
  { method: 'PATCH', path: '/v1/claims/{id}', role: 'editor', body: (tag) => ({ text: tag }) },
  { method: 'DELETE', path: '/v1/claims/{id}', role: 'editor' },
  { method: 'GET', path: '/v1/claims/{id}/history', role: 'viewer' },
  { method: 'GET', path: '/v1/claims/{id}/reviews', role: 'viewer' },
  { method: 'POST', path: '/v1/claims/{id}/reviews', role: 'reviewer', body: (tag) => ({ verdict: 'unverified', note: tag }) },
  { method: 'GET', path: '/v1/claims/{id}/reviews/{reviewId}', role: 'viewer' },
  { method: 'GET', path: '/v1/claims/{id}/claimreview', role: 'viewer' },
  { method: 'GET', path: '/v1/claims/{id}/appearances', role: 'viewer' },
  { method: 'POST', path: '/v1/claims/{id}/appearances', role: 'editor', body: (tag) => ({ source: { title: tag, kind: 'article' }, appearedAt: '2020-10-22' }) },
  { method: 'GET', path: '/v1/stats', role: 'viewer' },
  { method: 'GET', path: '/v1/speakers/{id}/record', role: 'viewer' },
  { method: 'POST', path: '/v1/reviews/bulk', role: 'reviewer', body: (tag) => ({ atomic: false, items: [{ claimId: newId(), verdict: 'unverified', note: tag }] }) },
  { method: 'POST', path: '/v1/claims/import', role: 'editor', body: (tag) => ({ items: [claimInput({ text: tag })] }) },
  { method: 'GET', path: '/v1/claims/export', role: 'viewer' },
  { method: 'POST', path: '/v1/claims/match', role: 'viewer', body: (tag) => ({ text: tag }) },
  { method: 'GET', path: '/v1/audit', role: 'viewer' },
  { method: 'GET', path: '/v1/audit/verify', role: 'admin' }
]
const opKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`

async function v1Operations (h: Harness) {
  const doc = (await h.as('none')('GET', '/openapi.json')).data
  const ops: Array<{ key: string, op: any }> = []
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    if (!path.startsWith('/v1')) continue
    for (const [method, op] of Object.entries(item)) {
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) ops.push({ key: opKey(method, path), op })
    }
  }
  return { doc, ops }
}

t.test('OpenAPI: every /v1 operation declares bearer security, 401 and 403', async (t) => {
  const h = await harness(t)
  const { doc, ops } = await v1Operations(h)
  t.match(doc.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer' })
  t.ok(ops.length >= 20, `found ${ops.length} /v1 operations`)
  for (const { key, op } of ops) {
    t.strictSame(op.security, [{ bearerAuth: [] }], `${key} security`)
    t.ok(op.responses?.['401'] !== undefined && op.responses?.['403'] !== undefined, `${key} documents 401 and 403`)
  }
})

t.test('role matrix covers every /v1 operation of the OpenAPI document', async (t) => {
  const h = await harness(t)
  const documented = new Set((await v1Operations(h)).ops.map((o) => o.key))
  const tabled = new Set(MATRIX.map((e) => opKey(e.method, e.path)))
  t.strictSame([...documented].filter((k) => !tabled.has(k)).sort(), [], 'operations without a matrix entry')
  t.strictSame([...tabled].filter((k) => !documented.has(k)).sort(), [], 'API.md routes missing from OpenAPI')
})

t.test('role matrix: below minimum 403, at/above not 401/403, no key 401', async (t) => {
  const h = await harness(t)
  const documented = new Set((await v1Operations(h)).ops.map((o) => o.key))
  let n = 0
  for (const entry of MATRIX) {
    const key = opKey(entry.method, entry.path)
    if (!documented.has(key)) continue // reported by the coverage test above
    for (const who of ['none', ...ROLES] as const) {
      const tag = `matrix ${who} ${n++}`
      const url = entry.path.replace('{id}', newId()).replace('{reviewId}', newId())
      const res = await h.as(who)(entry.method as 'GET', url, entry.body?.(tag))
      const label = `${key} as ${who} -> ${res.statusCode}`
      if (who === 'none') {
        is401(t, res, url)
      } else if (ROLES.indexOf(who) < ROLES.indexOf(entry.role)) {
        isProblem(t, res, 403, url)
      } else {
        t.ok(res.statusCode !== 401 && res.statusCode !== 403 && res.statusCode < 500, label)
      }
    }
  }
})

// ---- bootstrap --------------------------------------------------------------------------

t.test('ADMIN_API_KEY bootstrap is idempotent', async (t) => {
  const h = await harness(t)
  const ctx = systemContext('test', newId())
  const before = await dump(h.engine)
  t.equal(await countKeys(h), 4)
  const again = await h.app.services.apiKeys.bootstrap(ctx, ADMIN_KEY)
  t.equal(again.created, undefined)
  t.equal(await countKeys(h), 4, 'same key: nothing created')
  t.strictSame(await h.app.services.apiKeys.bootstrap(ctx, undefined), {}, 'no key given and keys exist: {}')
  t.equal(await countKeys(h), 4)
  t.strictSame(await dump(h.engine), before, 'nothing written at all')
})

t.test('first start without ADMIN_API_KEY creates one admin key, once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'claimledger-auth-'))
  const path = join(dir, 'fresh.db')
  const engine = openSqliteEngine(path)
  const app = await buildApp(loadConfig({ DATABASE_PATH: path, LOG_LEVEL: 'silent' }), engine)
  t.teardown(async () => {
    await app.close()
    await engine.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const services = createServices(engine)
  t.equal(await countKeys({ engine }), 0)
  const first = await services.apiKeys.bootstrap(systemContext('test', newId()), undefined)
  t.strictSame(Object.keys(first), ['created'])
  t.type(first.created, 'string')
  const key = first.created as string
  t.ok(key.length >= 43, 'random key of >= 43 chars')
  t.equal(await countKeys({ engine }), 1)
  t.notOk(JSON.stringify(await dump(engine)).includes(key), 'stored only as a hash')

  const me = await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${key}` } })
  t.equal(me.statusCode, 200)
  t.equal(me.json().role, 'admin')
  t.strictSame(await services.apiKeys.bootstrap(systemContext('test', newId()), undefined), {}, 'second start: nothing')
  t.equal(await countKeys({ engine }), 1, 'no second key')
  const audit = await services.ledger.list({ entityType: 'apikey', limit: 10 })
  t.equal(audit.length, 1)
  t.match(audit[0], { action: 'apikey.created', actor: { id: 'system:test', role: 'admin' } })
})

t.test('a key revoked by another process (the CLI beside a running server) stops working within a second', sqliteOnly, async (t) => {
  const h = await harness(t)
  const ids = await keyIds(h)
  t.equal((await h.as('viewer')('GET', '/v1/me')).statusCode, 200)
  const cli = openSqliteEngine(h.config.databasePath)
  await createServices(cli).apiKeys.revoke(systemContext('cli', newId()), ids.viewer)
  await cli.close()
  await setTimeout(RECHECK_MS)
  t.equal((await h.as('viewer')('GET', '/v1/me')).statusCode, 401)
  t.equal((await h.as('reviewer')('GET', '/v1/me')).statusCode, 200, 'other keys still work')
})
