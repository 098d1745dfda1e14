/** Claims: reads by id and every write, with their topics and audit events (lists and search: lists.ts). */
import { and, eq, isNull, ne, sql } from 'drizzle-orm'
import { applyPatch, diff, snapshot, type Ledger, type WriteContext } from '../audit/ledger.js'
import { isUuid, newId } from '../db/ids.js'
import type { Database_ } from '../db/open.js'
import { claims, claimTopics } from '../db/schema.js'
import { assertVersion, type VersionCondition } from '../core/versions.js'
import { Duplicate, Gone, NotFound, RuleViolated } from '../core/errors.js'
import type { SourcesStore } from '../sources/store.js'
import type { SpeakersStore } from '../speakers/store.js'
import { foldKey } from '../text.js'
import { createClaimLists } from './lists.js'
import { selectClaimsIn, toClaim, type Joined } from './rows.js'
import type { Claim, ClaimCreate, ClaimUpdate } from './schemas.js'

/** The fields a claim's history records: what an editor can change, plus status. */
const recorded = (c: Claim) => ({
  text: c.text,
  quote: c.quote,
  speakerId: c.speakerId,
  sourceId: c.sourceId,
  claimedAt: c.claimedAt,
  context: c.context,
  topics: c.topics,
  language: c.language,
  status: c.status
})

export function createClaimsStore (database: Database_, ledger: Ledger, speakersStore: SpeakersStore, sourcesStore: SourcesStore) {
  const { db, transaction } = database
  const selectClaims = selectClaimsIn(db)
  const lists = createClaimLists(database)

  // Hot paths run prepared statements: building a drizzle query per call cost more than the
  // query itself (bench: --cpu-prof).
  const byId = selectClaims().where(eq(claims.id, sql.placeholder('id'))).prepare()
  const duplicateOf = db.select({ id: claims.id }).from(claims).where(and(
    eq(claims.speakerId, sql.placeholder('speakerId')), eq(claims.claimedAt, sql.placeholder('claimedAt')),
    eq(claims.textKey, sql.placeholder('textKey')), isNull(claims.deletedAt), ne(claims.id, sql.placeholder('selfId'))
  )).prepare()

  // Compiling an UPDATE of claims (eight indexes, the FTS triggers) cost more than running it.
  const reviewed = db.update(claims).set({
    // (update().set() takes no bare placeholders; wrapped in sql`` they bind the same way)
    status: sql`${sql.placeholder('status')}`,
    reviewCount: sql`${sql.placeholder('reviewCount')}`,
    lastReviewedAt: sql`${sql.placeholder('at')}`,
    updatedAt: sql`${sql.placeholder('at')}`,
    version: sql`${sql.placeholder('version')}`
  }).where(eq(claims.id, sql.placeholder('id'))).prepare()

  /** The claim row whatever its state, with what a 410 needs to say. */
  function find (id: string): { claim: Claim, deleted: Joined['claim'] | null } | undefined {
    if (!isUuid(id)) return undefined
    const row = byId.get({ id })
    if (row === undefined) return undefined
    return { claim: toClaim(row), deleted: row.claim.deletedAt === null ? null : row.claim }
  }

  /** 404 unless the claim exists or existed (deleted claims keep their history and reviews). */
  function requireKnown (id: string): void {
    if (find(id) === undefined) throw new NotFound(`Claim ${id} does not exist`)
  }

  /** The live claim; 404 if it never existed, 410 (naming when and by whom) if deleted. */
  function require (id: string): Claim {
    const found = find(id)
    if (found === undefined) throw new NotFound(`Claim ${id} does not exist`)
    if (found.deleted !== null) {
      const { deletedAt, deletedBy, deleteReason } = found.deleted
      throw new Gone(`Claim ${id} was deleted at ${deletedAt} by ${deletedBy?.name ?? 'unknown'}`,
        { deletedAt, deletedBy, reason: deleteReason })
    }
    return found.claim
  }

  /** The id of a live claim by this speaker on this date with the same text (folded), if any. */
  function findDuplicate (speakerId: string, claimedAt: string, text: string, selfId?: string): string | undefined {
    return duplicateOf.get({ speakerId, claimedAt, textKey: foldKey(text), selfId: selfId ?? '' })?.id
  }

  function assertNotDuplicate (speakerId: string, claimedAt: string, text: string, selfId?: string) {
    const existingId = findDuplicate(speakerId, claimedAt, text, selfId)
    if (existingId !== undefined) {
      throw new Duplicate({ kind: 'claim', id: existingId }, `Claim ${existingId} already records this speaker saying this on ${claimedAt}`)
    }
  }

  function existing<T> (what: 'speakerId' | 'sourceId', found: T | undefined, id: string): T {
    if (found === undefined) {
      throw new RuleViolated(`${what} ${id} does not name an existing ${what === 'speakerId' ? 'speaker' : 'source'}`,
        { errors: [{ path: '/' + what, message: 'does not exist' }] })
    }
    return found
  }
  const existingSpeaker = (id: string) => existing('speakerId', speakersStore.get(id), id)
  const existingSource = (id: string) => existing('sourceId', sourcesStore.get(id), id)

  // Claim writes are prepared once, like the reads above: imports and the bench's generator
  // insert them by the thousand.
  const insertClaim = db.insert(claims).values({
    id: sql.placeholder('id'),
    text: sql.placeholder('text'),
    textKey: sql.placeholder('textKey'),
    quote: sql.placeholder('quote'),
    speakerId: sql.placeholder('speakerId'),
    sourceId: sql.placeholder('sourceId'),
    claimedAt: sql.placeholder('claimedAt'),
    context: sql.placeholder('context'),
    topics: sql.placeholder('topics'),
    language: sql.placeholder('language'),
    status: 'unverified',
    createdAt: sql.placeholder('at'),
    updatedAt: sql.placeholder('at'),
    version: 1
  }).prepare()
  const deleteTopics = db.delete(claimTopics).where(eq(claimTopics.claimId, sql.placeholder('claimId'))).prepare()
  const insertTopic = db.insert(claimTopics).values({ claimId: sql.placeholder('claimId'), topic: sql.placeholder('topic') }).prepare()

  function setTopics (claimId: string, topics: string[], replace = true) {
    if (replace) deleteTopics.run({ claimId })
    for (const topic of topics) insertTopic.run({ claimId, topic })
  }

  /** Inserts a claim (finding or creating an inline speaker/source) in the caller's transaction. */
  function insert (ctx: WriteContext, input: ClaimCreate, at: string, id: string): Claim {
    const speaker = input.speaker !== undefined
      ? speakersStore.findOrCreate(ctx, { ...input.speaker, aliases: [] }, at)
      : existingSpeaker(input.speakerId as string)
    const source = input.source !== undefined
      ? sourcesStore.findOrCreate(ctx, input.source, at)
      : existingSource(input.sourceId as string)
    assertNotDuplicate(speaker.id, input.claimedAt, input.text)
    // Everything a read would return is known here: no read-back after the insert.
    const created: Claim = {
      id,
      text: input.text,
      quote: input.quote ?? null,
      speakerId: speaker.id,
      speaker: { id: speaker.id, name: speaker.name },
      sourceId: source.id,
      source: { id: source.id, title: source.title, url: source.url },
      claimedAt: input.claimedAt,
      context: input.context ?? null,
      topics: input.topics,
      language: input.language,
      status: 'unverified',
      reviewCount: 0,
      lastReviewedAt: null,
      createdAt: at,
      updatedAt: at,
      version: 1
    }
    insertClaim.run({ ...created, textKey: foldKey(created.text), at })
    setTopics(created.id, created.topics, false)
    ledger.append(ctx, [{ action: 'claim.created', entityType: 'claim', entityId: created.id, changes: snapshot(recorded(created)) }], at)
    return created
  }

  return {
    ...lists,
    find,
    require,
    requireKnown,
    findDuplicate,

    /**
     * Creates a claim at time `at`; inside a caller's transaction (seeding, import) it is a savepoint.
     * `id` is for the seeder only (fixed ids the documentation's examples name); the API never passes one.
     */
    create (ctx: WriteContext, input: ClaimCreate, at = new Date().toISOString(), id = newId()): Claim {
      return transaction(() => insert(ctx, input, at, id))
    },

    update (ctx: WriteContext, id: string, patch: ClaimUpdate, expected?: VersionCondition): Claim {
      return transaction(() => {
        const before = require(id)
        assertVersion('Claim', expected, before.version)
        const next = applyPatch(recorded(before), patch)
        const changes = diff(recorded(before), next)
        if (Object.keys(changes).length === 0) return before
        if (changes.speakerId !== undefined) existingSpeaker(next.speakerId)
        if (changes.sourceId !== undefined) existingSource(next.sourceId)
        if (changes.text !== undefined || changes.speakerId !== undefined || changes.claimedAt !== undefined) {
          assertNotDuplicate(next.speakerId, next.claimedAt, next.text, id)
        }
        const at = new Date().toISOString()
        db.update(claims).set({ ...next, textKey: foldKey(next.text), updatedAt: at, version: before.version + 1 })
          .where(eq(claims.id, id)).run()
        if (changes.topics !== undefined) setTopics(id, next.topics)
        ledger.append(ctx, [{ action: 'claim.updated', entityType: 'claim', entityId: id, changes }], at)
        return require(id)
      })
    },

    /**
     * A review's effect on its claim, in the caller's transaction: status, review count and
     * time, and a new version. The caller records the review and its `claim.reviewed` event.
     */
    recordReview (before: Claim, verdict: Claim['status'], at: string): Claim {
      if (!database.sqlite.inTransaction) throw new Error('recordReview must run inside the review\'s transaction')
      // `before` was read in this same transaction, so the new state follows from it without a re-read.
      const after: Claim = { ...before, status: verdict, reviewCount: before.reviewCount + 1, lastReviewedAt: at, updatedAt: at, version: before.version + 1 }
      reviewed.run({ id: before.id, status: after.status, reviewCount: after.reviewCount, at, version: after.version })
      return after
    },

    /** Soft delete: the row and its history stay; reads answer 410 from now on. */
    delete (ctx: WriteContext, id: string, reason: string | undefined, expected?: VersionCondition): void {
      transaction(() => {
        const before = require(id)
        assertVersion('Claim', expected, before.version)
        const at = new Date().toISOString()
        const by = { id: ctx.actor.id, name: ctx.actor.name }
        db.update(claims).set({ deletedAt: at, deletedBy: by, deleteReason: reason ?? null, updatedAt: at, version: before.version + 1 })
          .where(eq(claims.id, id)).run()
        ledger.append(ctx, [{
          action: 'claim.deleted',
          entityType: 'claim',
          entityId: id,
          changes: { deletedAt: { from: null, to: at }, reason: { from: null, to: reason ?? null } }
        }], at)
      })
    }
  }
}

export type ClaimsStore = ReturnType<typeof createClaimsStore>
