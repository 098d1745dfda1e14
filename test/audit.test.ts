import { createHash } from 'node:crypto'
import canonicalizeModule from 'canonicalize'
import fc from 'fast-check'
import t from 'tap'
import { canonicalEvent, canonicalJson } from '../src/modules/audit/ledger.js'
import { claimInput, harness, sqliteOnly } from './helpers.js'

const canonicalize = canonicalizeModule as unknown as (value: unknown) => string

t.test('the write path\'s event serialisation is RFC 8785, for any strings and values', async (t) => {
  // Unicode of every plane, lone surrogates and control characters included.
  const text = fc.string({ unit: 'binary', maxLength: 40 })
  const event = fc.record({
    seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    at: text,
    actor: fc.record({ id: text, name: text, role: fc.constantFrom('viewer', 'reviewer', 'editor', 'admin' as const) }),
    action: text,
    entityType: text,
    entityId: text,
    changes: fc.dictionary(text, fc.record({ from: fc.jsonValue(), to: fc.jsonValue() })),
    requestId: text,
    prevHash: text
  })
  fc.assert(fc.property(event, (e) => canonicalEvent(e, canonicalJson(e.changes)) === canonicalize(e)), { numRuns: 2000 })
  t.pass('2000 random events serialise exactly as the general canonicaliser does')
})

t.test('the database itself refuses UPDATE and DELETE on the audit table', sqliteOnly, async (t) => {
  const { as, database } = await harness(t)
  await as('editor')('POST', '/v1/claims', claimInput())
  const { sqlite } = database
  t.throws(() => sqlite.prepare("UPDATE audit_events SET action = 'forged' WHERE seq = 1").run(), /append-only/)
  t.throws(() => sqlite.prepare('DELETE FROM audit_events WHERE seq = 1').run(), /append-only/)
  t.throws(() => sqlite.prepare('DELETE FROM audit_events').run(), /append-only/)
  t.equal((sqlite.prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'forged'").get() as { n: number }).n, 0)

  // Nor can an event be overwritten by INSERT OR REPLACE, or slipped in off the head of the chain.
  const row = sqlite.prepare('SELECT * FROM audit_events WHERE seq = 1').get() as Record<string, unknown>
  const columns = Object.keys(row)
  const insert = (verb: string, values: Record<string, unknown>) => sqlite.prepare(
    `${verb} INTO audit_events (${columns.join(', ')}) VALUES (${columns.map((c) => '@' + c).join(', ')})`).run(values)
  t.throws(() => insert('REPLACE', { ...row, action: 'forged' }), /append-only/)
  t.throws(() => insert('INSERT', { ...row, seq: 1000, action: 'forged', hash: 'f'.repeat(64) }), /append-only/, 'a gap in seq')
  const head = sqlite.prepare('SELECT max(seq) AS seq FROM audit_events').get() as { seq: number }
  t.throws(() => insert('INSERT', { ...row, seq: head.seq + 1, action: 'forged', hash: 'f'.repeat(64) }), /append-only/, 'a broken link')
  t.equal((sqlite.prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'forged'").get() as { n: number }).n, 0)
})

t.test('anyone holding the whole feed (an admin\'s) can re-verify the chain with sha256 + RFC 8785', async (t) => {
  const { as } = await harness(t)
  await as('editor')('POST', '/v1/claims', claimInput({ text: 'Emoji 🇦🇲 and “quotes” \\ back' }))
  const feed = await as('admin')('GET', '/v1/audit?limit=1000')
  let prev = '0'.repeat(64)
  feed.data.items.forEach((event: Record<string, unknown>, i: number) => {
    t.equal(event.seq, i + 1, 'seq runs 1, 2, 3… with no gaps')
    t.equal(event.prevHash, prev)
    const { hash, ...rest } = event
    t.equal(createHash('sha256').update(prev + canonicalize(rest)).digest('hex'), hash)
    prev = hash as string
  })
})

t.test('verify reports ok, then catches a forged event', sqliteOnly, async (t) => {
  const { as, database } = await harness(t)
  const created = await as('editor')('POST', '/v1/claims', claimInput())
  await as('editor')('PATCH', `/v1/claims/${created.data.id}`, { text: 'Second version' })
  const ok = await as('admin')('GET', '/v1/audit/verify')
  t.equal(ok.statusCode, 200)
  const head = (await as('viewer')('GET', '/v1/audit?limit=1000')).data.items.at(-1)
  t.same(ok.data, { ok: true, events: head.seq, head: { seq: head.seq, hash: head.hash } })
  t.equal((await as('editor')('GET', '/v1/audit/verify')).statusCode, 403, 'verify is admin-only')

  // Forge: drop the guard (as an attacker with file access would) and rewrite one event.
  const { sqlite } = database
  const target = (sqlite.prepare("SELECT seq FROM audit_events WHERE action = 'claim.updated'").get() as { seq: number }).seq
  sqlite.exec('DROP TRIGGER audit_events_no_update')
  sqlite.prepare("UPDATE audit_events SET changes = replace(changes, 'Second version', 'Forged version') WHERE seq = ?").run(target)
  const bad = await as('admin')('GET', '/v1/audit/verify')
  t.same(bad.data, { ok: false, events: target - 1, firstBadSeq: target })
})

t.test('verify catches a deleted event', sqliteOnly, async (t) => {
  const { as, database } = await harness(t)
  await as('editor')('POST', '/v1/claims', claimInput())
  await as('editor')('POST', '/v1/claims', claimInput({ text: 'Another' }))
  const { sqlite } = database
  sqlite.exec('DROP TRIGGER audit_events_no_delete')
  sqlite.prepare('DELETE FROM audit_events WHERE seq = 2').run()
  t.match((await as('admin')('GET', '/v1/audit/verify')).data, { ok: false, firstBadSeq: 2 })
})

t.test('verify catches an event forged together with its own hash: the next link breaks', sqliteOnly, async (t) => {
  const { as, database } = await harness(t)
  const created = await as('editor')('POST', '/v1/claims', claimInput())
  await as('editor')('PATCH', `/v1/claims/${created.data.id}`, { text: 'Later edit' })
  const { sqlite } = database
  const target = (await as('viewer')('GET', `/v1/claims/${created.data.id}/history`)).data.items[0]
  const forged = { ...target, changes: { ...target.changes, text: { from: null, to: 'Forged original' } } }
  delete forged.hash
  const hash = createHash('sha256').update(forged.prevHash + canonicalize(forged)).digest('hex')
  sqlite.exec('DROP TRIGGER audit_events_no_update')
  sqlite.prepare('UPDATE audit_events SET changes = ?, hash = ? WHERE seq = ?').run(canonicalize(forged.changes), hash, target.seq)
  t.same((await as('admin')('GET', '/v1/audit/verify')).data, { ok: false, events: target.seq, firstBadSeq: target.seq + 1 })
})

t.test('a failed write leaves no event and no gap in seq', async (t) => {
  const { as } = await harness(t)
  await as('editor')('POST', '/v1/claims', claimInput())
  const before = (await as('viewer')('GET', '/v1/audit')).data.items.length
  // This inline speaker would be created, then the duplicate check fails: all of it rolls back.
  const dup = await as('editor')('POST', '/v1/claims', claimInput({ speaker: { name: 'Nikol Pashinyan' }, source: { title: 'New source' } }))
  t.equal(dup.statusCode, 409)
  const after = await as('viewer')('GET', '/v1/audit')
  t.equal(after.data.items.length, before, 'the rolled-back source.created left no event')
  t.equal((await as('viewer')('GET', '/v1/sources')).data.items.length, 1, 'nor a source')
  await as('editor')('POST', '/v1/claims', claimInput({ text: 'Next' }))
  const seqs = (await as('viewer')('GET', '/v1/audit')).data.items.map((e: { seq: number }) => e.seq)
  t.same(seqs, seqs.map((_: number, i: number) => i + 1))
})

t.test('the feed: after, filters, limit and paging', async (t) => {
  const { as } = await harness(t)
  const a = await as('editor')('POST', '/v1/claims', claimInput({ text: 'A' }))
  await as('editor')('POST', '/v1/claims', claimInput({ text: 'B' }))
  await as('editor')('PATCH', `/v1/claims/${a.data.id}`, { text: 'A2' })
  const all = (await as('viewer')('GET', '/v1/audit?limit=1000')).data.items
  const head = all.at(-1).seq

  const after = await as('viewer')('GET', `/v1/audit?after=${head - 2}`)
  t.same(after.data.items.map((e: { seq: number }) => e.seq), [head - 1, head])
  t.same((await as('viewer')('GET', `/v1/audit?after=${head}`)).data, { items: [], nextCursor: null })

  const forA = await as('viewer')('GET', `/v1/audit?entityType=claim&entityId=${a.data.id}`)
  t.same(forA.data.items.map((e: { action: string }) => e.action), ['claim.created', 'claim.updated'])
  t.equal((await as('viewer')('GET', '/v1/audit?action=claim.updated')).data.items.length, 1)
  const me = (await as('editor')('GET', '/v1/me')).data
  const mine = (await as('viewer')('GET', `/v1/audit?actor=${me.id}`)).data.items
  t.equal(mine.length, 5, 'speaker, source, two claims and an edit')
  t.ok(mine.every((e: { actor: { id: string } }) => e.actor.id === me.id))

  const seen: number[] = []
  let url: string | undefined = '/v1/audit?limit=2'
  while (url !== undefined) {
    const page = await as('viewer')('GET', url)
    seen.push(...page.data.items.map((e: { seq: number }) => e.seq))
    url = page.data.nextCursor === null ? undefined : /^<([^>]+)>/.exec(page.headers.link as string)?.[1]
  }
  t.same(seen, all.map((e: { seq: number }) => e.seq))
  t.equal((await as('viewer')('GET', '/v1/audit?limit=1001')).statusCode, 400)
  t.equal((await as('viewer')('GET', '/v1/audit?after=-1')).statusCode, 400)
})

t.test('history: paged, oldest first, 404 for unknown claims', async (t) => {
  const { as } = await harness(t)
  const c = await as('editor')('POST', '/v1/claims', claimInput())
  for (let i = 0; i < 3; i++) await as('editor')('PATCH', `/v1/claims/${c.data.id}`, { text: `v${i}` })
  const first = await as('viewer')('GET', `/v1/claims/${c.data.id}/history?limit=3`)
  t.same(first.data.items.map((e: { action: string }) => e.action), ['claim.created', 'claim.updated', 'claim.updated'])
  t.ok(first.data.nextCursor)
  const second = await as('viewer')('GET', `/v1/claims/${c.data.id}/history?limit=3&cursor=${first.data.nextCursor}`)
  t.same(second.data.items.map((e: { changes: { text: { to: string } } }) => e.changes.text.to), ['v2'])
  t.equal(second.data.nextCursor, null)
  t.equal((await as('viewer')('GET', '/v1/claims/01890a5d-ac96-774b-bcce-b302099a8057/history')).statusCode, 404)
  t.equal((await as('viewer')('GET', '/v1/claims/nope/history')).statusCode, 404)
})
