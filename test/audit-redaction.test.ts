/**
 * API keys are admin-only, and so are the details of their audit events: other roles get
 * them redacted, keeping the feed gap-free and its links checkable.
 */
import { createHash } from 'node:crypto'
import canonicalizeModule from 'canonicalize'
import t from 'tap'
import { claimInput, harness } from './helpers.js'

const canonicalize = canonicalizeModule as unknown as (value: unknown) => string

t.test('API keys are admin-only: others get their events redacted, with the chain\'s links intact', async (t) => {
  const h = await harness(t)
  const created = (await h.as('admin')('POST', '/v1/api-keys', { name: 'secret project key', role: 'editor' })).data
  await h.as('editor')('POST', '/v1/claims', claimInput())
  const adminId = (await h.as('admin')('GET', '/v1/me')).data.id
  const full = (await h.as('admin')('GET', '/v1/audit?limit=1000')).data.items
  t.match(full.find((e: { entityId: string }) => e.entityId === created.id), { actor: { id: adminId }, changes: { name: { to: 'secret project key' } } },
    'an admin sees everything')

  for (const role of ['viewer', 'reviewer', 'editor'] as const) {
    const feed = await h.as(role)('GET', '/v1/audit?limit=1000')
    t.equal(feed.statusCode, 200)
    const items = feed.data.items as Array<Record<string, unknown>>
    t.notOk(feed.body.includes('secret project key') || feed.body.includes(created.id), `${role}: no key's id or name anywhere`)
    t.same(items.map((e) => e.seq), full.map((e: { seq: number }) => e.seq), `${role}: the feed stays gap-free`)
    const redacted = items.filter((e) => e.entityType === 'apikey')
    t.equal(redacted.length, 5, '4 harness keys + 1')
    for (const event of redacted) {
      t.same(Object.keys(event).sort(), ['action', 'at', 'entityType', 'hash', 'prevHash', 'redacted', 'seq'])
      t.equal(event.redacted, true)
    }
    // Every link checks out; every event not redacted still rehashes to its hash.
    let prev = '0'.repeat(64)
    for (const event of items) {
      t.equal(event.prevHash, prev)
      prev = event.hash as string
      if (event.redacted === true) continue
      const { hash, ...rest } = event
      t.equal(createHash('sha256').update(event.prevHash as string + canonicalize(rest)).digest('hex'), hash)
    }
    const byType = (await h.as(role)('GET', '/v1/audit?entityType=apikey')).data.items as Array<Record<string, unknown>>
    t.ok(byType.length === 5 && byType.every((e) => e.redacted === true), `${role}: filtering by entityType gets the redacted form`)
    // Filters on what is redacted never match it, so they cannot be used to probe.
    t.same((await h.as(role)('GET', `/v1/audit?entityId=${created.id}`)).data.items, [], `${role}: entityId of a key matches nothing`)
    t.same((await h.as(role)('GET', `/v1/audit?actor=${adminId}`)).data.items, [], `${role}: nor does the actor of key events`)
  }
  t.equal((await h.as('admin')('GET', `/v1/audit?entityId=${created.id}`)).data.items.length, 1)
})
