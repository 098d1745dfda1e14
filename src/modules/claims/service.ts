/**
 * Claims: the rules of every write and of reading one claim, over a ClaimsRepository (the SQL,
 * one per engine). A claim names an existing speaker and source (or brings its own, found by
 * name or URL, else created); no two live claims record the same speaker saying the same
 * thing on the same day; an edit or deletion names the version it expects (If-Match); every
 * change appends its audit event in the same transaction. Lists and search: lists.ts.
 */
import { applyPatch, diff, snapshot, type Ledger } from '../audit/ledger.js'
import { type WriteContext } from '../../core/context.js'
import { Duplicate, Gone, NotFound, RuleViolated } from '../../core/errors.js'
import { assertVersion, type VersionCondition } from '../../core/versions.js'
import { newId } from '../../db/ids.js'
import type { Repository, Transact } from '../../db/engine.js'
import type { Source } from '../sources/schemas.js'
import type { SourcesService } from '../sources/service.js'
import type { Speaker } from '../speakers/schemas.js'
import type { SpeakersService } from '../speakers/service.js'
import { foldKey, urlKey } from '../../text.js'
import type { ClaimLists } from './lists.js'
import type { ClaimsRepository, FoundClaim } from './repository.js'
import type { Claim, ClaimCreate, ClaimCursor, ClaimFilter, ClaimUpdate, ListedClaim } from './schemas.js'

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

export interface ClaimsDeps {
  transaction: Transact
  claims: Repository<ClaimsRepository>
  lists: Repository<ClaimLists>
  speakers: Pick<SpeakersService, 'get' | 'findByName' | 'findOrCreate'>
  sources: Pick<SourcesService, 'get' | 'find' | 'findOrCreate'>
  ledger: Pick<Ledger, 'append' | 'assertInTransaction'>
}

export function createClaimsService ({ transaction, claims, lists, speakers, sources, ledger }: ClaimsDeps) {
  /** The claim row whatever its state, with what a 410 needs to say. */
  const find = async (id: string): Promise<FoundClaim | undefined> => await claims.find(id)

  /** 404 unless the claim exists or existed (deleted claims keep their history and reviews). */
  async function requireKnown (id: string): Promise<void> {
    if (await find(id) === undefined) throw new NotFound(`Claim ${id} does not exist`)
  }

  /** The live claim; 404 if it never existed, 410 (naming when and by whom) if deleted. */
  async function require (id: string): Promise<Claim> {
    const found = await find(id)
    if (found === undefined) throw new NotFound(`Claim ${id} does not exist`)
    if (found.deleted !== null) {
      const { deletedAt, deletedBy, deleteReason } = found.deleted
      throw new Gone(`Claim ${id} was deleted at ${deletedAt} by ${deletedBy?.name ?? 'unknown'}`,
        { deletedAt, deletedBy, reason: deleteReason })
    }
    return found.claim
  }

  /** The id of a live claim by this speaker on this date with the same text (folded), if any. */
  const findDuplicate = async (speakerId: string, claimedAt: string, text: string, selfId?: string): Promise<string | undefined> =>
    await claims.duplicateOf(speakerId, claimedAt, foldKey(text), selfId)

  async function assertNotDuplicate (speakerId: string, claimedAt: string, text: string, selfId?: string): Promise<void> {
    const existingId = await findDuplicate(speakerId, claimedAt, text, selfId)
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
  const existingSpeaker = async (id: string) => existing('speakerId', await speakers.get(id), id)
  const existingSource = async (id: string) => existing('sourceId', await sources.get(id), id)

  /** Inserts a claim (finding or creating an inline speaker/source) in the caller's transaction. */
  async function insert (ctx: WriteContext, input: ClaimCreate, at: string, id: string): Promise<Claim> {
    const speaker = input.speaker !== undefined
      ? await speakers.findOrCreate(ctx, { ...input.speaker, aliases: [] }, at)
      : await existingSpeaker(input.speakerId as string)
    const source = input.source !== undefined
      ? await sources.findOrCreate(ctx, input.source, at)
      : await existingSource(input.sourceId as string)
    await assertNotDuplicate(speaker.id, input.claimedAt, input.text)
    return await write(ctx, input, at, id, speaker, source)
  }

  /** The claim's rows and its event, once its speaker and source are known and it is no duplicate. */
  async function write (ctx: WriteContext, input: ClaimCreate, at: string, id: string, speaker: Speaker, source: Source): Promise<Claim> {
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
    await claims.insert(created, foldKey(created.text))
    await claims.setTopics(created.id, created.topics, false)
    await ledger.append(ctx, [{ action: 'claim.created', entityType: 'claim', entityId: created.id, changes: snapshot(recorded(created)) }], at)
    return created
  }

  return {
    find,
    require,
    requireKnown,
    findDuplicate,

    /** Live claims matching a filter, in its sort's order, after a keyset cursor (lists.ts). */
    list: async (filter: ClaimFilter, after?: ClaimCursor): Promise<ListedClaim[]> => await lists.list(filter, after),

    /** How the engine will run a list query (EXPLAIN), for tests that hold it to its indexes. */
    plan: async (filter: ClaimFilter): Promise<string[]> => await lists.plan(filter),

    /**
     * Creates a claim at time `at`; inside a caller's transaction (seeding, import) it is a savepoint.
     * `id` is for the seeder only (fixed ids the documentation's examples name); the API never passes one.
     */
    async create (ctx: WriteContext, input: ClaimCreate, at = new Date().toISOString(), id = newId()): Promise<Claim> {
      return await transaction(async () => await insert(ctx, input, at, id))
    },

    async update (ctx: WriteContext, id: string, patch: ClaimUpdate, expected?: VersionCondition): Promise<Claim> {
      return await transaction(async () => {
        const before = await require(id)
        assertVersion('Claim', expected, before.version)
        const next = applyPatch(recorded(before), patch)
        const changes = diff(recorded(before), next)
        if (Object.keys(changes).length === 0) return before
        if (changes.speakerId !== undefined) await existingSpeaker(next.speakerId)
        if (changes.sourceId !== undefined) await existingSource(next.sourceId)
        if (changes.text !== undefined || changes.speakerId !== undefined || changes.claimedAt !== undefined) {
          await assertNotDuplicate(next.speakerId, next.claimedAt, next.text, id)
        }
        const at = new Date().toISOString()
        await claims.update(id, { ...next, textKey: foldKey(next.text), updatedAt: at, version: before.version + 1 })
        if (changes.topics !== undefined) await claims.setTopics(id, next.topics, true)
        await ledger.append(ctx, [{ action: 'claim.updated', entityType: 'claim', entityId: id, changes }], at)
        return await require(id)
      })
    },

    /**
     * A review's effect on its claim, in the caller's transaction: status, review count and
     * time, and a new version. The caller records the review and its `claim.reviewed` event.
     * `before` was read in that same transaction, so the new state follows from it without a re-read.
     */
    async recordReview (before: Claim, verdict: Claim['status'], at: string): Promise<Claim> {
      ledger.assertInTransaction('recordReview')
      const after: Claim = { ...before, status: verdict, reviewCount: before.reviewCount + 1, lastReviewedAt: at, updatedAt: at, version: before.version + 1 }
      await claims.markReviewed(after)
      return after
    },

    /**
     * Creates claims one after another in the caller's transaction, for an import: as `create`,
     * but every check runs before anything of a claim is written (a refused claim writes
     * nothing, so none needs a savepoint of its own), and the speakers and sources named by
     * the claims are looked up once per distinct name, URL, title or id, not once per claim.
     * Valid for that transaction only: what it remembers is what that transaction sees.
     */
    creator (ctx: WriteContext, at: string): (input: ClaimCreate) => Promise<Claim> {
      ledger.assertInTransaction('claims.creator')
      const known = new Map<string, Speaker | Source | undefined>()
      /** The remembered answer for `key`, else `look()`'s, remembered when found. */
      async function lookup<T extends Speaker | Source> (key: string, look: () => Promise<T | undefined>): Promise<T | undefined> {
        if (known.has(key)) return known.get(key) as T
        const found = await look()
        // A miss is not remembered: an earlier claim of this transaction may create it yet.
        if (found !== undefined) known.set(key, found)
        return found
      }
      const speakerOf = async (input: ClaimCreate): Promise<Speaker | undefined> => input.speaker !== undefined
        ? await lookup(`speaker:${foldKey(input.speaker.name)}`, async () => await speakers.findByName((input.speaker as { name: string }).name))
        : existing('speakerId', await lookup(`speaker#${input.speakerId as string}`, async () => await speakers.get(input.speakerId as string)), input.speakerId as string)
      const sourceKey = (s: NonNullable<ClaimCreate['source']>) => s.url != null
        ? `source@${urlKey(s.url)}`
        : `source:${JSON.stringify([foldKey(s.title), s.publisher == null ? null : foldKey(s.publisher)])}`
      const sourceOf = async (input: ClaimCreate): Promise<Source | undefined> => input.source !== undefined
        ? await lookup(sourceKey(input.source), async () => await sources.find(input.source as NonNullable<ClaimCreate['source']>))
        : existing('sourceId', await lookup(`source#${input.sourceId as string}`, async () => await sources.get(input.sourceId as string)), input.sourceId as string)
      return async (input) => {
        const foundSpeaker = await speakerOf(input)
        const foundSource = await sourceOf(input)
        // A speaker not yet stored has said nothing yet: no claim of theirs can be a duplicate.
        if (foundSpeaker !== undefined) await assertNotDuplicate(foundSpeaker.id, input.claimedAt, input.text)
        // Checked: from here on nothing is refused. A new speaker or source is made (and audited) first, as `create` does.
        const speaker = foundSpeaker ?? await speakers.findOrCreate(ctx, { ...(input.speaker as NonNullable<ClaimCreate['speaker']>), aliases: [] }, at)
        const source = foundSource ?? await sources.findOrCreate(ctx, input.source as NonNullable<ClaimCreate['source']>, at)
        return await write(ctx, input, at, newId(), speaker, source)
      }
    },

    /**
     * A change recorded beside the claim (an appearance), in the caller's transaction: a new
     * version and time, so that the claim's version stays the count of its events (as-of.ts)
     * and its ETag changes. The caller appends the event.
     */
    async recordChange (before: Claim, at: string): Promise<Claim> {
      ledger.assertInTransaction('recordChange')
      const after: Claim = { ...before, updatedAt: at, version: before.version + 1 }
      await claims.touch(after.id, at, after.version)
      return after
    },

    /** Soft delete: the row and its history stay; reads answer 410 from now on. */
    async delete (ctx: WriteContext, id: string, reason: string | undefined, expected?: VersionCondition): Promise<void> {
      await transaction(async () => {
        const before = await require(id)
        assertVersion('Claim', expected, before.version)
        const at = new Date().toISOString()
        await claims.softDelete(id, { at, by: { id: ctx.actor.id, name: ctx.actor.name }, reason: reason ?? null, version: before.version + 1 })
        await ledger.append(ctx, [{
          action: 'claim.deleted',
          entityType: 'claim',
          entityId: id,
          changes: { deletedAt: { from: null, to: at }, reason: { from: null, to: reason ?? null } }
        }], at)
      })
    }
  }
}

export type ClaimsService = ReturnType<typeof createClaimsService>
