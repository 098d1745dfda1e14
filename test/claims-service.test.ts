/**
 * The claims and reviews services' rules, called directly (no HTTP) over the real
 * repositories of each engine on a fresh database: what each rule refuses, with which domain
 * error, and that a refused write leaves the database as it was.
 */
import t from 'tap'
import { systemContext } from '../src/core/context.js'
import { claimCreate } from '../src/modules/claims/schemas.js'
import { Duplicate, Gone, NotFound, RuleViolated, Stale } from '../src/core/errors.js'
import type { AnyEngine } from '../src/db/connect.js'
import { newId } from '../src/db/ids.js'
import { reviewCreate } from '../src/modules/reviews/schemas.js'
import { sourceCreate } from '../src/modules/sources/schemas.js'
import { speakerCreate } from '../src/modules/speakers/schemas.js'
import { createServices } from '../src/modules/container.js'
import { openSqliteEngine } from '../src/db/sqlite/engine.js'
import { freshEngine, onEachEngine, snapshot } from './support/engines.js'

t.setTimeout(120_000)

async function fresh (engine: AnyEngine) {
  const services = createServices(engine)
  const ctx = systemContext('test', newId())
  const speaker = await services.speakers.create(ctx, speakerCreate.parse({ name: 'Government of Azerbaijan', kind: 'government', aliases: ['Baku'] }))
  const source = await services.sources.create(ctx, sourceCreate.parse({ title: 'Mail Online', kind: 'article' }))
  const claim = (text: string, claimedAt = '2020-10-21') =>
    claimCreate.parse({ text, speakerId: speaker.id, sourceId: source.id, claimedAt })
  return { services, claims: services.claims, reviews: services.reviews, transaction: services.transaction, ctx, claim }
}

onEachEngine(t, 'a claim names a speaker and source that exist; a refused create writes nothing', async (t, engine) => {
  const { claims, ctx, claim } = await fresh(engine)
  const before = await snapshot(engine)
  const unknown = newId()
  await t.rejects(claims.create(ctx, { ...claim('Baku says 772 soldiers died'), speakerId: unknown }),
    new RuleViolated(`speakerId ${unknown} does not name an existing speaker`))
  await t.rejects(claims.create(ctx, { ...claim('Baku says 772 soldiers died'), sourceId: unknown }), RuleViolated)
  t.same(await snapshot(engine), before)
})

onEachEngine(t, 'the same speaker saying the same thing on the same day is one claim, however it is spaced or cased', async (t, engine) => {
  const { claims, ctx, claim } = await fresh(engine)
  const first = await claims.create(ctx, claim('Baku says 772 soldiers died'))
  const before = await snapshot(engine)
  const error = await claims.create(ctx, claim('  BAKU says 772   soldiers died ')).catch((e: unknown) => e) as Duplicate
  t.ok(error instanceof Duplicate)
  t.same(error.existing, { kind: 'claim', id: first.id })
  t.same(await snapshot(engine), before, 'nothing written')
  t.ok(await claims.create(ctx, claim('Baku says 772 soldiers died', '2020-10-22')), 'another day is another claim')
  t.ok(await claims.create(ctx, claim('Baku says 700 soldiers died')), 'another number is another claim')

  const other = await claims.create(ctx, claim('Baku says the ceasefire held'))
  await t.rejects(claims.update(ctx, other.id, { text: 'baku says 772 soldiers died' }), Duplicate, 'an edit into a duplicate is refused too')
})

onEachEngine(t, 'an edit names the version it read; an edit that changes nothing makes no version and no history', async (t, engine) => {
  const { claims, ctx, claim } = await fresh(engine)
  const created = await claims.create(ctx, claim('Baku says 772 soldiers died'))
  const stale = await claims.update(ctx, created.id, { context: 'Edited' }, [7]).catch((e: unknown) => e) as Stale
  t.ok(stale instanceof Stale)
  t.equal(stale.current, 1)
  const events = (await snapshot(engine)).audit_events?.length
  t.equal((await claims.update(ctx, created.id, { text: created.text }, [1])).version, 1, 'same text: same version')
  t.equal((await snapshot(engine)).audit_events?.length, events, 'and no event')
  t.equal((await claims.update(ctx, created.id, { context: 'Edited' }, [1])).version, 2)
})

onEachEngine(t, 'a deleted claim answers Gone, naming who deleted it, but is still known (its history stays)', async (t, engine) => {
  const { claims, ctx, claim } = await fresh(engine)
  const created = await claims.create(ctx, claim('Baku says 772 soldiers died'))
  await claims.delete(ctx, created.id, 'Duplicate of an earlier claim', [1])
  const gone = await claims.require(created.id).catch((e: unknown) => e) as Gone
  t.ok(gone instanceof Gone)
  t.match(gone.details, { deletedBy: { name: 'system:test' }, reason: 'Duplicate of an earlier claim' })
  await t.resolves(claims.requireKnown(created.id))
  await t.rejects(claims.require('not-a-uuid'), NotFound)
  await t.rejects(claims.requireKnown(newId()), NotFound)
})

onEachEngine(t, 'reviews: applied only inside a transaction; a clientRef sent again is answered, not applied twice', async (t, engine) => {
  const { claims, reviews, transaction, ctx, claim } = await fresh(engine)
  const created = await claims.create(ctx, claim('Baku says 772 soldiers died'))
  const input = reviewCreate.parse({ verdict: 'unverified', note: 'Reopened', clientRef: 'row-7' })
  const before = await snapshot(engine)
  await t.rejects(reviews.applyWithin(ctx, created.id, input, undefined, new Date().toISOString()),
    { message: 'applyWithin must run inside the write transaction' })
  t.same(await snapshot(engine), before, 'refused before writing')

  const first = await reviews.create(ctx, created.id, input)
  t.equal(first.replayed, false)
  const again = await transaction(async (tx) => await tx.reviews.applyWithin(ctx, created.id, input, [99], new Date().toISOString()))
  t.equal(again.replayed, true, 'answered before the version check: the claim has moved on')
  t.equal(again.review.id, first.review.id)
  t.equal((await reviews.list(created.id, 10)).length, 1)
  const changed = await reviews.create(ctx, created.id, { ...input, note: 'Something else' }).catch((e: unknown) => e) as Duplicate
  t.same(changed.existing, { kind: 'review', id: first.review.id, claimId: created.id })
})

onEachEngine(t, 'a write sees its own changes before it commits; nobody else does until then', async (t, engine) => {
  const { services, claims, transaction, ctx, claim } = await fresh(engine)
  // Another request, begun outside the transaction, reads while it is open.
  let created = ''
  let written!: () => void
  const writtenYet = new Promise<void>((resolve) => { written = resolve })
  const outside = (async () => {
    await writtenYet
    return await claims.find(created)
  })()
  await transaction(async (tx) => {
    created = (await tx.claims.create(ctx, claim('Baku says 772 soldiers died'))).id
    t.equal((await tx.claims.require(created)).id, created, 'read inside the transaction: there')
    written()
    t.equal(await outside, undefined, 'read outside it before the commit: not there')
  })
  t.equal((await claims.list({ sort: '-createdAt', limit: 10 })).length, 1, 'after the commit: there')
  t.ok((await services.ledger.verify()).ok)
})

t.test('on a SQLite :memory: database (one connection: the writer\'s) a read waits for the write in progress, never sees it half-done', async (t) => {
  const engine = openSqliteEngine(':memory:')
  t.teardown(async () => { await engine.close() })
  const { services, claims, transaction, ctx, claim } = await fresh(engine)
  let created = ''
  let readDuring: Promise<unknown> | undefined
  let answered = false
  await transaction(async (tx) => {
    created = (await tx.claims.create(ctx, claim('Baku says 772 soldiers died'))).id
    readDuring = claims.find(created).finally(() => { answered = true })
    await tx.claims.update(ctx, created, { text: 'Baku says 773 soldiers died' }, [1])
    await new Promise((resolve) => setTimeout(resolve, 20))
    t.notOk(answered, 'the read has not been answered while the transaction is open')
  })
  t.match(await readDuring, { claim: { id: created, text: 'Baku says 773 soldiers died', version: 2 } }, 'it is answered after the commit, with all of it')
  t.ok((await services.ledger.verify()).ok, 'the chain, read whole through the same queue')
  t.equal((await services.ledger.headSeq()), 4, 'speaker, source, claim, edit')
})

t.test('a speaker\'s claims are re-indexed for search when its names change, not on every edit (sqlite)', async (t) => {
  const engine = await freshEngine(t, 'sqlite')
  if (engine?.kind !== 'sqlite') throw new Error('unreachable')
  const { services, claims, ctx, claim } = await fresh(engine)
  for (let i = 0; i < 5; i++) await claims.create(ctx, claim(`Baku says claim ${i}`))
  const speakerId = (await claims.list({ sort: '-claimedAt', limit: 1 }))[0]!.speakerId
  const changes = () => engine.database.sqlite.prepare('SELECT total_changes()').pluck().get() as number
  let before = changes()
  await services.speakers.update(ctx, speakerId, { description: 'The government in Baku' })
  t.ok(changes() - before <= 2, `a description: ${changes() - before} row(s) written (the speaker, its event)`)
  before = changes()
  await services.speakers.update(ctx, speakerId, { aliases: ['Baku', 'Azerbaijani government'] })
  t.ok(changes() - before >= 5, 'new aliases: every claim re-indexed')
  t.equal((await claims.list({ q: 'azerbaijani', sort: '-claimedAt', limit: 10 })).length, 5)
})
