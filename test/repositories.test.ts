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
import { GENESIS_HASH, hashEvent, verifyEventsAsync } from '../src/modules/audit/ledger.js'
import { createPostgresAuditRepository, type AsyncAuditRepository } from '../src/modules/audit/postgres.js'
import type { AuditEvent, AuditRepository } from '../src/modules/audit/repository.js'
import { createSqliteAuditRepository } from '../src/modules/audit/sqlite.js'
import { createPostgresApiKeysRepository } from '../src/modules/auth/postgres.js'
import type { ApiKeyRow, ApiKeysRepository } from '../src/modules/auth/repository.js'
import { createSqliteApiKeysRepository } from '../src/modules/auth/sqlite.js'
import { createClaimLists, type ClaimLists } from '../src/modules/claims/lists.js'
import { createPostgresClaimLists } from '../src/modules/claims/lists-postgres.js'
import { createPostgresClaimsRepository } from '../src/modules/claims/postgres.js'
import type { ClaimsRepository } from '../src/modules/claims/repository.js'
import { claimListQuery, claimSortKey, claimSorts, type Claim, type ClaimCursor, type ClaimSort, type ListedClaim } from '../src/modules/claims/schemas.js'
import { createSqliteClaimsRepository } from '../src/modules/claims/sqlite.js'
import type { Async } from '../src/db/engine.js'
import { newId } from '../src/db/ids.js'
import { openDatabase } from '../src/db/open.js'
import { createPostgresIdempotencyRepository } from '../src/modules/idempotency/postgres.js'
import type { IdempotencyRepository } from '../src/modules/idempotency/repository.js'
import { createSqliteIdempotencyRepository } from '../src/modules/idempotency/sqlite.js'
import { createPostgresReviewsRepository } from '../src/modules/reviews/postgres.js'
import type { ReviewsRepository } from '../src/modules/reviews/repository.js'
import type { Review } from '../src/modules/reviews/schemas.js'
import { createSqliteReviewsRepository } from '../src/modules/reviews/sqlite.js'
import { createPostgresSourcesRepository } from '../src/modules/sources/postgres.js'
import type { SourcesRepository } from '../src/modules/sources/repository.js'
import type { Source } from '../src/modules/sources/schemas.js'
import { createSqliteSourcesRepository } from '../src/modules/sources/sqlite.js'
import { createPostgresSpeakersRepository } from '../src/modules/speakers/postgres.js'
import type { SpeakersRepository } from '../src/modules/speakers/repository.js'
import type { Speaker } from '../src/modules/speakers/schemas.js'
import { createSqliteSpeakersRepository } from '../src/modules/speakers/sqlite.js'
import { createPostgresStatsRepository } from '../src/modules/stats/postgres.js'
import type { StatsRepository } from '../src/modules/stats/repository.js'
import { createSqliteStatsRepository } from '../src/modules/stats/sqlite.js'
import { freshPostgresEngine } from './support/postgres.js'

t.setTimeout(120_000)

/** Each engine's repositories over a fresh database, and a way to run plain SQL on it. */
interface Repositories {
  claims: ClaimsRepository | Async<ClaimsRepository>
  lists: ClaimLists | Async<ClaimLists>
  reviews: ReviewsRepository | Async<ReviewsRepository>
  speakers: SpeakersRepository | Async<SpeakersRepository>
  sources: SourcesRepository | Async<SourcesRepository>
  apiKeys: ApiKeysRepository | Async<ApiKeysRepository>
  audit: AuditRepository | AsyncAuditRepository
  stats: StatsRepository | Async<StatsRepository>
  idempotency: IdempotencyRepository | Async<IdempotencyRepository>
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
      lists: createClaimLists(database.db),
      reviews: createSqliteReviewsRepository(database.db),
      speakers: createSqliteSpeakersRepository(database.db),
      sources: createSqliteSourcesRepository(database.db),
      apiKeys: createSqliteApiKeysRepository(database.db),
      audit: createSqliteAuditRepository(database.db),
      stats: createSqliteStatsRepository(database.db),
      idempotency: createSqliteIdempotencyRepository(database.db),
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
      lists: createPostgresClaimLists(q),
      reviews: createPostgresReviewsRepository(q),
      speakers: createPostgresSpeakersRepository(q),
      sources: createPostgresSourcesRepository(q),
      apiKeys: createPostgresApiKeysRepository(q),
      audit: createPostgresAuditRepository(q),
      stats: createPostgresStatsRepository(q),
      idempotency: createPostgresIdempotencyRepository(q),
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

  t.test(`${leg.name} reviews: read back as written, by clientRef of the key that made it, newest first`, async (t) => {
    const r = await leg.open(t)
    if (r === undefined) return
    await withSpeakerAndSource(r)
    const reviewed = claim()
    await r.claims.insert(reviewed, 'key')
    const review = (n: number, clientRef: string | null): Review => ({
      id: newId(),
      claimId: reviewed.id,
      verdict: 'disputed',
      previousStatus: 'unverified',
      note: `Review ${n}`,
      evidence: [{ url: 'https://www.osce.org/', stance: 'refutes' }, { url: 'https://example.org/', title: 'Context', stance: 'context' }],
      reviewer: { id: 'key-1', name: 'desk' },
      clientRef,
      createdAt: at
    })
    const written = [review(1, 'row-1'), review(2, null), review(3, 'row-3')]
    for (const w of written) await r.reviews.insert(w)
    t.same(await r.reviews.get(reviewed.id, written[0]!.id), written[0])
    t.equal(await r.reviews.get(newId(), written[0]!.id), undefined, 'of another claim: not found')
    t.same(await r.reviews.byClientRef('key-1', 'row-3'), written[2])
    t.equal(await r.reviews.byClientRef('key-2', 'row-3'), undefined, 'clientRefs are per key')
    t.same((await r.reviews.list(reviewed.id, 10)).map((x) => x.note), ['Review 3', 'Review 2', 'Review 1'])
    t.same((await r.reviews.list(reviewed.id, 1, written[2]!.id)).map((x) => x.note), ['Review 2'])
  })

  t.test(`${leg.name} speakers: names are folded keys held by one speaker; prefixes, pages and use`, async (t) => {
    const r = await leg.open(t)
    if (r === undefined) return
    const speaker = (name: string, aliases: string[]): Speaker =>
      ({ id: newId(), name, kind: 'person', description: null, aliases, createdAt: at, updatedAt: at, version: 1 })
    const pashinyan = speaker('Nikol Pashinyan', ['Armenian prime minister'])
    const aliyev = speaker('Ilham Aliyev', [])
    for (const s of [pashinyan, aliyev]) await r.speakers.insert(s)
    await r.speakers.setNames(pashinyan.id, ['nikol pashinyan', 'armenian prime minister'])
    await r.speakers.setNames(aliyev.id, ['ilham aliyev'])
    t.same(await r.speakers.get(pashinyan.id), pashinyan)
    t.equal(await r.speakers.get('not-a-uuid'), undefined)
    t.same((await r.speakers.getMany([aliyev.id, pashinyan.id])).map((s) => s.name).sort(), ['Ilham Aliyev', 'Nikol Pashinyan'])
    t.equal(await r.speakers.idByNameKey('armenian prime minister'), pashinyan.id)
    t.same(await r.speakers.nameTaken(['ilham aliyev', 'nobody'], pashinyan.id), { nameKey: 'ilham aliyev', speakerId: aliyev.id })
    t.equal(await r.speakers.nameTaken(['ilham aliyev'], aliyev.id), undefined, 'its own name is not taken')
    t.same((await r.speakers.list({ namePrefix: 'armenian', limit: 10 })).map((s) => s.id), [pashinyan.id], 'an alias prefix')
    t.same((await r.speakers.list({ limit: 10 })).map((s) => s.id), [pashinyan.id, aliyev.id], 'oldest first')
    t.same((await r.speakers.list({ limit: 10, afterId: pashinyan.id })).map((s) => s.id), [aliyev.id])
    await r.speakers.setNames(pashinyan.id, ['nikol pashinyan'])
    t.equal(await r.speakers.idByNameKey('armenian prime minister'), undefined, 'names are replaced')
    const renamed = { ...pashinyan, name: 'N. Pashinyan', version: 2 }
    await r.speakers.update(renamed)
    t.same(await r.speakers.get(pashinyan.id), renamed)
    t.equal(Number(await r.speakers.claimsBy(aliyev.id)), 0)
    await r.speakers.delete(aliyev.id)
    t.equal(await r.speakers.get(aliyev.id), undefined)
    t.equal(await r.speakers.idByNameKey('ilham aliyev'), undefined, 'its names go with it')
  })

  t.test(`${leg.name} sources: by normalised URL, by title and publisher (oldest first), prefixes and citations`, async (t) => {
    const r = await leg.open(t)
    if (r === undefined) return
    const source = (title: string, publisher: string | null, url: string | null): Source =>
      ({ id: newId(), title, publisher, url, kind: 'article', publishedAt: null, createdAt: at, updatedAt: at, version: 1 })
    const keys = (s: Source) => ({ titleKey: s.title.toLowerCase(), publisherKey: s.publisher?.toLowerCase() ?? null, urlKey: s.url })
    const mail = source('Nagorno-Karabakh fighting', 'Mail Online', 'https://www.dailymail.co.uk/a')
    const again = source('Nagorno-Karabakh fighting', 'Mail Online', null)
    const bare = source('Nagorno-Karabakh fighting', null, null)
    const other = source('Ceasefire talks', 'TASS', null)
    for (const s of [mail, again, bare, other]) await r.sources.insert(s, keys(s))
    t.same(await r.sources.get(mail.id), mail)
    t.equal(await r.sources.get('not-a-uuid'), undefined)
    t.same(await r.sources.byUrlKey('https://www.dailymail.co.uk/a'), mail)
    t.same(await r.sources.byTitle('nagorno-karabakh fighting', 'mail online'), mail, 'the oldest of two')
    t.same(await r.sources.byTitle('nagorno-karabakh fighting', null), bare, 'no publisher is a publisher of its own')
    t.same((await r.sources.list({ titlePrefix: 'nagorno', limit: 10 })).map((s) => s.id), [mail.id, again.id, bare.id])
    t.same((await r.sources.list({ publisherKey: 'tass', limit: 10 })).map((s) => s.id), [other.id])
    t.same((await r.sources.getMany([other.id])).map((s) => s.id), [other.id])
    const moved = { ...mail, url: 'https://www.dailymail.co.uk/b', version: 2 }
    await r.sources.update(moved, keys(moved))
    t.equal(await r.sources.byUrlKey('https://www.dailymail.co.uk/a'), undefined)
    t.same(await r.sources.byUrlKey('https://www.dailymail.co.uk/b'), moved)
    t.equal(Number(await r.sources.citedBy(mail.id)), 0)
    await r.sources.delete(other.id)
    t.equal(await r.sources.get(other.id), undefined)
  })

  t.test(`${leg.name} API keys: found by hash, paged, revoked; active admins counted`, async (t) => {
    const r = await leg.open(t)
    if (r === undefined) return
    t.equal(await r.apiKeys.any(), false)
    const key = (name: string, role: ApiKeyRow['role']): ApiKeyRow => ({ id: newId(), name, role, keyHash: `hash of ${name}`, createdAt: at, revokedAt: null })
    const [admin, desk] = [key('admin', 'admin'), key('desk', 'reviewer')]
    for (const k of [admin, desk]) await r.apiKeys.insert(k)
    t.equal(await r.apiKeys.any(), true)
    t.same(await r.apiKeys.byHash('hash of desk'), desk)
    t.same(await r.apiKeys.get(admin.id), admin)
    t.equal(await r.apiKeys.get('not-a-uuid'), undefined)
    t.same((await r.apiKeys.list(10)).map((k) => k.name), ['admin', 'desk'])
    t.same((await r.apiKeys.list(10, admin.id)).map((k) => k.name), ['desk'])
    t.equal(Number(await r.apiKeys.activeAdmins()), 1)
    await r.apiKeys.revoke(admin.id, '2020-10-22T00:00:00.000Z')
    t.equal((await r.apiKeys.get(admin.id))?.revokedAt, '2020-10-22T00:00:00.000Z')
    t.equal(Number(await r.apiKeys.activeAdmins()), 0)
  })

  t.test(`${leg.name} idempotency: a stored answer until it expires, one per key and caller`, async (t) => {
    const r = await leg.open(t)
    if (r === undefined) return
    const row = { actorId: 'key-1', key: 'batch-7', requestHash: 'h', statusCode: 200, response: '{"applied":2}', createdAt: at, expiresAt: '2020-10-22T10:00:00.000Z' }
    await r.idempotency.insert(row)
    t.same(await r.idempotency.find('key-1', 'batch-7', '2020-10-21T12:00:00.000Z'), row)
    t.equal(await r.idempotency.find('key-2', 'batch-7', '2020-10-21T12:00:00.000Z'), undefined, 'another caller\'s key space')
    t.equal(await r.idempotency.find('key-1', 'batch-7', '2020-10-22T10:00:00.000Z'), undefined, 'expired')
    await t.rejects(Promise.resolve().then(async () => { await r.idempotency.insert({ ...row, requestHash: 'other' }) }), 'the same key twice is refused by the database')
    await r.idempotency.purgeExpired('2020-10-22T10:00:00.000Z')
    await r.idempotency.insert({ ...row, requestHash: 'after expiry' })
    t.equal((await r.idempotency.find('key-1', 'batch-7', '2020-10-21T12:00:00.000Z'))?.requestHash, 'after expiry', 'expired keys are free again')
  })

  t.test(`${leg.name} audit: the head, filtered pages of the feed, and the whole chain in order`, async (t) => {
    const r = await leg.open(t)
    if (r === undefined) return
    t.equal(await r.audit.head(), undefined, 'an empty log has no head')
    let head: { seq: number, hash: string } | undefined
    const events: AuditEvent[] = []
    // More than one of PostgreSQL's read batches (1000), bounded.
    for (let seq = 1; seq <= 1205; seq++) {
      const unsigned = {
        seq,
        at: `2020-10-21T10:${String(Math.floor(seq / 60) % 60).padStart(2, '0')}:${String(seq % 60).padStart(2, '0')}.000Z`,
        actor: { id: seq % 2 === 0 ? 'key-even' : 'key-odd', name: 'desk', role: 'editor' as const },
        action: seq % 3 === 0 ? 'claim.updated' : 'claim.created',
        entityType: seq % 5 === 0 ? 'speaker' : 'claim',
        entityId: `entity-${seq % 7}`,
        changes: { n: { from: null, to: seq } },
        requestId: `req-${seq}`,
        prevHash: head?.hash ?? GENESIS_HASH
      }
      const event = { ...unsigned, hash: hashEvent(unsigned) }
      await r.audit.insert(event, JSON.stringify(event.changes))
      events.push(event)
      head = { seq, hash: event.hash }
    }
    t.same(await r.audit.head(), head)
    t.same(await r.audit.list({ after: 1200, limit: 10 }), events.slice(1200))
    const filtered = await r.audit.list({ entityType: 'claim', entityId: 'entity-3', actor: 'key-even', action: 'claim.updated', until: '2020-10-21T10:05:00.000Z', limit: 100 })
    t.same(filtered.map((e) => e.seq), events.filter((e) => e.entityType === 'claim' && e.entityId === 'entity-3' && e.actor.id === 'key-even' &&
      e.action === 'claim.updated' && e.at <= '2020-10-21T10:05:00.000Z').map((e) => e.seq))
    t.ok(filtered.length > 0)
    t.same((await r.audit.list({ excludeEntityTypes: ['claim'], limit: 3 })).map((e) => e.seq), [5, 10, 15])
    t.same(await verifyEventsAsync(r.audit.all()), { ok: true, events: 1205, head }, 'every event, in order, chained')
  })

  t.test(`${leg.name} claim lists: every sort pages through all in order, filters combine, search needs every word`, async (t) => {
    const r = await leg.open(t)
    if (r === undefined) return
    await withSpeakerAndSource(r)
    // 24 claims: dates, times and reviews spread so that every sort has ties and NULLs.
    const day = (n: number) => `2020-10-${String(10 + (n % 6)).padStart(2, '0')}`
    const time = (n: number) => `2020-10-21T10:00:${String(n % 9).padStart(2, '0')}.000Z`
    const written: Claim[] = []
    for (let n = 0; n < 24; n++) {
      const text = n % 4 === 0 ? `Stepanakert shelled, report ${n}` : `Ceasefire report ${n}`
      const c = claim({ text, context: n % 4 === 1 ? 'Shelled near Stepanakert' : null, claimedAt: day(n), createdAt: time(n), updatedAt: time(n + 3), topics: n % 3 === 0 ? ['shelling'] : [] })
      await r.claims.insert(c, text.toLowerCase())
      await r.claims.setTopics(c.id, c.topics, false)
      if (n % 5 === 0) {
        const reviewed = { ...c, status: 'disputed' as const, reviewCount: 1, lastReviewedAt: time(n + 1), version: 2 }
        await r.claims.markReviewed(reviewed)
        written.push(reviewed)
      } else written.push(c)
    }
    const query = (fields: Record<string, unknown>) => claimListQuery.parse({ limit: 5, ...fields })
    const pageThrough = async (fields: Record<string, unknown>) => {
      const filter = query(fields)
      const seen: ListedClaim[] = []
      let after: ClaimCursor | undefined
      for (let page = 0; page < 20; page++) {
        const rows = await r.lists.list(filter, after)
        seen.push(...rows)
        if (rows.length < filter.limit) break
        after = claimSortKey(filter.sort, rows[rows.length - 1]!)
      }
      return seen
    }
    const compare = (sort: Exclude<ClaimSort, 'relevance'>) => (a: Claim, b: Claim) => {
      const field = sort.replace('-', '') as 'claimedAt' | 'createdAt' | 'updatedAt' | 'lastReviewedAt'
      const sign = sort.startsWith('-') ? -1 : 1
      const [x, y] = [a[field], b[field]]
      if (x !== y) {
        if (x === null) return 1 // NULLs last
        if (y === null) return -1
        return (x < y ? -1 : 1) * sign
      }
      return (a.id < b.id ? -1 : 1) * sign
    }
    for (const sort of claimSorts.filter((s): s is Exclude<ClaimSort, 'relevance'> => s !== 'relevance')) {
      t.same((await pageThrough({ sort })).map((c) => c.id), [...written].sort(compare(sort)).map((c) => c.id), `${sort}, 5 a page`)
    }
    const combined = await pageThrough({ sort: 'claimedAt', status: 'disputed', topic: 'shelling', claimedFrom: '2020-10-10', claimedTo: '2020-10-14' })
    t.same(combined.map((c) => c.id), written.filter((c) => c.status === 'disputed' && c.topics.includes('shelling') &&
      c.claimedAt >= '2020-10-10' && c.claimedAt <= '2020-10-14').sort(compare('claimedAt')).map((c) => c.id))
    t.ok(combined.length > 0)

    const both = written.filter((c) => c.context !== null).sort(compare('-claimedAt')).map((c) => c.id)
    t.equal(both.length, 6)
    t.same((await pageThrough({ q: 'CEASEFIRE stépanakert', sort: '-claimedAt' })).map((c) => c.id), both,
      'every word (in the text or the context), any case or accent')
    t.same(await pageThrough({ q: '*** ---' }), [], 'no words, no results')
    const ranked = await pageThrough({ q: 'Stepanakert' })
    t.equal(ranked.length, 12, 'in the text or the context')
    t.same(new Set(ranked.map((c) => c.id)).size, 12, 'no claim twice across pages')
    const inText = ranked.map((c) => c.text.includes('Stepanakert'))
    t.same(inText, [...inText].sort((a, b) => Number(b) - Number(a)), 'matches in the text rank above matches in the context')
  })

  t.test(`${leg.name} stats: counters kept by the database, reviews per day, speakers with the most live claims`, async (t) => {
    const r = await leg.open(t)
    if (r === undefined) return
    await withSpeakerAndSource(r)
    const other = '01890a5d-ac96-774b-bcce-b302099a8059'
    await r.scalar(`INSERT INTO speakers (id, name, kind, aliases, created_at, updated_at, version)
      VALUES ('${other}', 'Baku', 'government', '[]', '${at}', '${at}', 1)`)
    const claims = [claim(), claim({ text: 'Second' }), claim({ text: 'Third', speakerId: other, speaker: { id: other, name: 'Baku' } })]
    for (const c of claims) await r.claims.insert(c, c.text)
    await r.claims.markReviewed({ ...claims[0]!, status: 'disputed', reviewCount: 1, version: 2 })
    await r.claims.softDelete(claims[1]!.id, { at, by: { id: 'k', name: 'desk' }, reason: null, version: 2 })
    const counters = Object.fromEntries((await r.stats.counters()).map(({ status, n }) => [status, Number(n)]))
    t.same(counters, { unverified: 1, corroborated: 0, disputed: 1 }, 'the deleted claim counts no more')
    for (const [n, createdAt] of [[1, '2020-10-20T23:59:59.000Z'], [2, '2020-10-21T00:00:00.000Z'], [3, '2020-10-21T12:00:00.000Z']] as const) {
      await r.reviews.insert({ id: newId(), claimId: claims[0]!.id, verdict: 'disputed', previousStatus: 'unverified', note: `n${n}`, evidence: [], reviewer: { id: 'k', name: 'desk' }, clientRef: null, createdAt })
    }
    t.equal(Number(await r.stats.reviews()), 3)
    t.same((await r.stats.reviewsPerDay('2020-10-21')).map(({ day, n }) => [day, Number(n)]), [['2020-10-21', 2]])
    t.same((await r.stats.topSpeakers(10)).map((s) => [s.name, Number(s.claims)]), [['Baku', 1], ['Government of Azerbaijan', 1]], 'live claims; ties by name')
  })

  t.test(`${leg.name} search: a word is a run of letters or digits, whatever stands between (FTS5's rule)`, async (t) => {
    const r = await leg.open(t)
    if (r === undefined) return
    await withSpeakerAndSource(r)
    const cases: Array<[string, string]> = [['COVID-19 cases rose', 'covid 19'], ['Casualties rose 3.5 percent', '3 5'],
      ['Posted on example.com', 'example'], ['Write to press@gov.am', 'press'], ['Files in /usr/bin', 'usr'], ['Menu: café2', 'cafe2'],
      ['Ceasefire in Nagorno-Karabakh', 'nagorno karabakh']]
    for (const [text] of cases) {
      const c = claim({ text })
      await r.claims.insert(c, text.toLowerCase())
    }
    for (const [text, q] of cases) {
      const found = await r.lists.list(claimListQuery.parse({ q, limit: 10 }))
      t.same(found.map((c) => c.text), [text], `"${q}" finds "${text}"`)
    }
  })
}
