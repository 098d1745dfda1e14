/**
 * Repository contracts, the same tests on each engine: what a service may rely on from a
 * repository, whichever SQL implements it. SQLite's repositories answer synchronously and
 * PostgreSQL's with promises; the tests await both. The PostgreSQL leg runs on TEST_DATABASE_URL.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import t, { type Test } from 'tap'
import { createPostgresClaimsRepository } from '../src/claims/postgres.js'
import type { ClaimsRepository } from '../src/claims/repository.js'
import type { Claim } from '../src/claims/schemas.js'
import { createSqliteClaimsRepository } from '../src/claims/sqlite.js'
import type { Async } from '../src/db/engine.js'
import { newId } from '../src/db/ids.js'
import { openDatabase } from '../src/db/open.js'
import { freshPostgresEngine } from './support/postgres.js'

t.setTimeout(120_000)

/** Each engine's repositories over a fresh database, and a way to run plain SQL on it. */
interface Repositories {
  claims: ClaimsRepository | Async<ClaimsRepository>
  /** Runs a statement written in SQL both engines speak; the first column of the first row. */
  scalar: (text: string) => Promise<unknown>
}

const legs: Array<{ name: string, open: (t: Test) => Promise<Repositories | undefined> }> = [{
  name: 'SQLite',
  open: async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'claimledger-repositories-'))
    const database = openDatabase(join(dir, 'claims.db'))
    t.teardown(() => {
      database.close()
      rmSync(dir, { recursive: true, force: true })
    })
    return {
      claims: createSqliteClaimsRepository(database.db),
      scalar: async (text) => {
        const statement = database.sqlite.prepare(text)
        return statement.reader ? statement.pluck().get() : statement.run()
      }
    }
  }
}, {
  name: 'PostgreSQL',
  open: async (t) => {
    const engine = await freshPostgresEngine(t)
    if (engine === undefined) return undefined
    const q = engine.postgres.db
    return {
      claims: createPostgresClaimsRepository(q),
      scalar: async (text) => Object.values((await q.execute(sql.raw(text))).rows[0] ?? {})[0]
    }
  }
}]

const speakerId = '01890a5d-ac96-774b-bcce-b302099a8057'
const sourceId = '01890a5d-ac96-774b-bcce-b302099a8058'
const at = '2020-10-21T10:00:00.000Z'

async function withSpeakerAndSource (r: Repositories) {
  await r.scalar(`INSERT INTO speakers (id, name, kind, aliases, created_at, updated_at, version)
    VALUES ('${speakerId}', 'Government of Azerbaijan', 'government', '["Baku"]', '${at}', '${at}', 1)`)
  await r.scalar(`INSERT INTO sources (id, title, url, kind, title_key, created_at, updated_at, version)
    VALUES ('${sourceId}', 'Mail Online', 'https://www.dailymail.co.uk/news/article-8863631', 'article', 'mail online', '${at}', '${at}', 1)`)
}

const claim = (overrides: Partial<Claim> = {}): Claim => ({
  id: newId(),
  text: 'Azerbaijan says 772 Armenian soldiers were killed',
  quote: null,
  speakerId,
  speaker: { id: speakerId, name: 'Government of Azerbaijan' },
  sourceId,
  source: { id: sourceId, title: 'Mail Online', url: 'https://www.dailymail.co.uk/news/article-8863631' },
  claimedAt: '2020-10-21',
  context: null,
  topics: ['casualties', 'nagorno-karabakh'],
  language: 'en',
  status: 'unverified',
  reviewCount: 0,
  lastReviewedAt: null,
  createdAt: at,
  updatedAt: at,
  version: 1,
  ...overrides
})

for (const leg of legs) {
  t.test(`${leg.name} claims: a claim reads back as it was written, joined to its speaker and source`, async (t) => {
    const r = await leg.open(t)
    if (r === undefined) return
    await withSpeakerAndSource(r)
    const written = claim({ quote: '"772 soldiers"', context: 'Baku\'s figures' })
    await r.claims.insert(written, 'key')
    await r.claims.setTopics(written.id, written.topics, false)
    t.same(await r.claims.find(written.id), { claim: written, deleted: null })
    t.equal(await r.claims.find(newId()), undefined, 'an unknown id')
    t.equal(await r.claims.find('not-a-uuid'), undefined, 'a malformed id is unknown, not an error')
    t.equal(Number(await r.scalar(`SELECT count(*) FROM claim_topics WHERE claim_id = '${written.id}'`)), 2)
  })

  t.test(`${leg.name} claims: duplicates are live claims with the same speaker, day and key, other than the one asking`, async (t) => {
    const r = await leg.open(t)
    if (r === undefined) return
    await withSpeakerAndSource(r)
    const first = claim()
    await r.claims.insert(first, 'same key')
    t.equal(await r.claims.duplicateOf(speakerId, '2020-10-21', 'same key'), first.id)
    t.equal(await r.claims.duplicateOf(speakerId, '2020-10-21', 'same key', first.id), undefined, 'not itself')
    t.equal(await r.claims.duplicateOf(speakerId, '2020-10-22', 'same key'), undefined, 'another day')
    t.equal(await r.claims.duplicateOf(speakerId, '2020-10-21', 'other key'), undefined, 'another text')
    await r.claims.softDelete(first.id, { at, by: { id: 'k', name: 'desk' }, reason: null, version: 2 })
    t.equal(await r.claims.duplicateOf(speakerId, '2020-10-21', 'same key'), undefined, 'a deleted claim is no duplicate')
  })

  t.test(`${leg.name} claims: edits, reviews and deletion change what they say and nothing else`, async (t) => {
    const r = await leg.open(t)
    if (r === undefined) return
    await withSpeakerAndSource(r)
    const original = claim()
    await r.claims.insert(original, 'key')
    await r.claims.setTopics(original.id, original.topics, false)
    const edited = { ...original, text: 'Edited', context: 'Context', topics: ['ceasefire'], updatedAt: '2020-10-22T00:00:00.000Z', version: 2 }
    const { speaker: _s, source: _o, id: _i, createdAt: _c, reviewCount: _r, lastReviewedAt: _l, ...edit } = edited
    await r.claims.update(original.id, { ...edit, textKey: 'edited' })
    await r.claims.setTopics(original.id, edited.topics, true)
    t.same((await r.claims.find(original.id))?.claim, edited)
    t.equal(Number(await r.scalar(`SELECT count(*) FROM claim_topics WHERE claim_id = '${original.id}'`)), 1, 'topics replaced')

    const reviewed = { ...edited, status: 'disputed' as const, reviewCount: 1, lastReviewedAt: '2020-10-23T00:00:00.000Z', updatedAt: '2020-10-23T00:00:00.000Z', version: 3 }
    await r.claims.markReviewed(reviewed)
    t.same((await r.claims.find(original.id))?.claim, reviewed)

    await r.claims.softDelete(original.id, { at: '2020-10-24T00:00:00.000Z', by: { id: 'k', name: 'desk' }, reason: 'Duplicate', version: 4 })
    t.same(await r.claims.find(original.id), {
      claim: { ...reviewed, updatedAt: '2020-10-24T00:00:00.000Z', version: 4 },
      deleted: { deletedAt: '2020-10-24T00:00:00.000Z', deletedBy: { id: 'k', name: 'desk' }, deleteReason: 'Duplicate' }
    })
  })
}
