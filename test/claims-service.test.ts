/**
 * The claims and reviews services' rules, called directly (no HTTP) over the real SQLite
 * repositories on a fresh file: what each rule refuses, with which domain error, and that a
 * refused write leaves the database as it was.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { systemContext } from '../src/core/context.js'
import { claimCreate } from '../src/modules/claims/schemas.js'
import { Duplicate, Gone, NotFound, RuleViolated, Stale } from '../src/core/errors.js'
import { newId } from '../src/db/ids.js'
import { openDatabase } from '../src/db/open.js'
import { reviewCreate } from '../src/modules/reviews/schemas.js'
import { sourceCreate } from '../src/modules/sources/schemas.js'
import { speakerCreate } from '../src/modules/speakers/schemas.js'
import { createStores } from '../src/modules/container.js'
import { dump } from './helpers.js'

function fresh (t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'claimledger-service-'))
  const database = openDatabase(join(dir, 'claims.db'))
  t.teardown(() => {
    database.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const stores = createStores(database)
  const ctx = systemContext('test', newId())
  const speaker = stores.speakers.create(ctx, speakerCreate.parse({ name: 'Government of Azerbaijan', kind: 'government', aliases: ['Baku'] }))
  const source = stores.sources.create(ctx, sourceCreate.parse({ title: 'Mail Online', kind: 'article' }))
  const claim = (text: string, claimedAt = '2020-10-21') =>
    claimCreate.parse({ text, speakerId: speaker.id, sourceId: source.id, claimedAt })
  return { database, claims: stores.claims, reviews: stores.reviews, transaction: stores.transaction, ctx, claim }
}

t.test('a claim names a speaker and source that exist; a refused create writes nothing', async (t) => {
  const { database, claims, ctx, claim } = fresh(t)
  const before = dump(database)
  const unknown = newId()
  t.throws(() => claims.create(ctx, { ...claim('Baku says 772 soldiers died'), speakerId: unknown }),
    new RuleViolated(`speakerId ${unknown} does not name an existing speaker`))
  t.throws(() => claims.create(ctx, { ...claim('Baku says 772 soldiers died'), sourceId: unknown }), RuleViolated)
  t.same(dump(database), before)
})

t.test('the same speaker saying the same thing on the same day is one claim, however it is spaced or cased', async (t) => {
  const { database, claims, ctx, claim } = fresh(t)
  const first = claims.create(ctx, claim('Baku says 772 soldiers died'))
  const before = dump(database)
  const error = t.throws(() => claims.create(ctx, claim('  BAKU says 772   soldiers died '))) as Duplicate
  t.ok(error instanceof Duplicate)
  t.same(error.existing, { kind: 'claim', id: first.id })
  t.same(dump(database), before, 'nothing written')
  t.ok(claims.create(ctx, claim('Baku says 772 soldiers died', '2020-10-22')), 'another day is another claim')
  t.ok(claims.create(ctx, claim('Baku says 700 soldiers died')), 'another number is another claim')

  const other = claims.create(ctx, claim('Baku says the ceasefire held'))
  t.throws(() => claims.update(ctx, other.id, { text: 'baku says 772 soldiers died' }), Duplicate, 'an edit into a duplicate is refused too')
})

t.test('an edit names the version it read; an edit that changes nothing makes no version and no history', async (t) => {
  const { database, claims, ctx, claim } = fresh(t)
  const created = claims.create(ctx, claim('Baku says 772 soldiers died'))
  const stale = t.throws(() => claims.update(ctx, created.id, { context: 'Edited' }, [7])) as Stale
  t.ok(stale instanceof Stale)
  t.equal(stale.current, 1)
  const events = dump(database).audit_events?.length
  t.equal(claims.update(ctx, created.id, { text: created.text }, [1]).version, 1, 'same text: same version')
  t.equal(dump(database).audit_events?.length, events, 'and no event')
  t.equal(claims.update(ctx, created.id, { context: 'Edited' }, [1]).version, 2)
})

t.test('a deleted claim answers Gone, naming who deleted it, but is still known (its history stays)', async (t) => {
  const { claims, ctx, claim } = fresh(t)
  const created = claims.create(ctx, claim('Baku says 772 soldiers died'))
  claims.delete(ctx, created.id, 'Duplicate of an earlier claim', [1])
  const gone = t.throws(() => claims.require(created.id)) as Gone
  t.ok(gone instanceof Gone)
  t.match(gone.details, { deletedBy: { name: 'system:test' }, reason: 'Duplicate of an earlier claim' })
  t.doesNotThrow(() => claims.requireKnown(created.id))
  t.throws(() => claims.require('not-a-uuid'), NotFound)
  t.throws(() => claims.requireKnown(newId()), NotFound)
})

t.test('reviews: applied only inside a transaction; a clientRef sent again is answered, not applied twice', async (t) => {
  const { database, claims, reviews, transaction, ctx, claim } = fresh(t)
  const created = claims.create(ctx, claim('Baku says 772 soldiers died'))
  const input = reviewCreate.parse({ verdict: 'unverified', note: 'Reopened', clientRef: 'row-7' })
  const before = dump(database)
  t.throws(() => reviews.applyWithin(ctx, created.id, input, undefined, new Date().toISOString()),
    { message: 'applyWithin must run inside the write transaction' })
  t.same(dump(database), before, 'refused before writing')

  const first = reviews.create(ctx, created.id, input)
  t.equal(first.replayed, false)
  const again = transaction(() => reviews.applyWithin(ctx, created.id, input, [99], new Date().toISOString()))
  t.equal(again.replayed, true, 'answered before the version check: the claim has moved on')
  t.equal(again.review.id, first.review.id)
  t.equal(reviews.list(created.id, 10).length, 1)
  const changed = t.throws(() => reviews.create(ctx, created.id, { ...input, note: 'Something else' })) as Duplicate
  t.same(changed.existing, { kind: 'review', id: first.review.id, claimId: created.id })
})

t.test('a speaker\'s claims are re-indexed for search when its names change, not on every edit', async (t) => {
  const { database, claims, ctx, claim } = fresh(t)
  const stores = createStores(database)
  for (let i = 0; i < 5; i++) claims.create(ctx, claim(`Baku says claim ${i}`))
  const speakerId = claims.list({ sort: '-claimedAt', limit: 1 })[0]!.speakerId
  const changes = () => database.sqlite.prepare('SELECT total_changes()').pluck().get() as number
  let before = changes()
  stores.speakers.update(ctx, speakerId, { description: 'The government in Baku' })
  t.ok(changes() - before <= 2, `a description: ${changes() - before} row(s) written (the speaker, its event)`)
  before = changes()
  stores.speakers.update(ctx, speakerId, { aliases: ['Baku', 'Azerbaijani government'] })
  t.ok(changes() - before >= 5, 'new aliases: every claim re-indexed')
  t.equal(claims.list({ q: 'azerbaijani', sort: '-claimedAt', limit: 10 }).length, 5)
})
