/**
 * Speakers: who said it, over a SpeakersRepository (the SQL, one per engine). Every name and
 * alias belongs to one speaker only (folded for comparison), so "Baku" finds the government of
 * Azerbaijan whichever way a claim spells it. A speaker any claim names (deleted claims too:
 * their history needs it) cannot be deleted. Every change is audited.
 */
import { applyPatch, diff, removal, snapshot, type Ledger } from '../audit/ledger.js'
import { type WriteContext } from '../../core/context.js'
import { Conflict, Duplicate, NotFound } from '../../core/errors.js'
import { assertVersion, type VersionCondition } from '../../core/versions.js'
import { newId } from '../../db/ids.js'
import type { Repository, Transact } from '../../db/engine.js'
import { foldKey } from '../../text.js'
import type { SpeakersRepository } from './repository.js'
import type { Speaker, SpeakerCreate, SpeakerUpdate } from './schemas.js'

/** Aliases without repeats, without the speaker's own name, first spelling kept. */
function distinctAliases (name: string, aliases: string[]): string[] {
  const seen = new Set([foldKey(name)])
  return aliases.filter((alias) => {
    const key = foldKey(alias)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

const editable = (s: Speaker) => ({ name: s.name, kind: s.kind, description: s.description, aliases: s.aliases })

export interface SpeakersDeps {
  transaction: Transact
  speakers: Repository<SpeakersRepository>
  ledger: Pick<Ledger, 'append'>
}

export function createSpeakersService ({ transaction, speakers, ledger }: SpeakersDeps) {
  async function require (id: string): Promise<Speaker> {
    const found = await speakers.get(id)
    if (found === undefined) throw new NotFound(`Speaker ${id} does not exist`)
    return found
  }

  /** Claims every name of a speaker; 409 if another speaker has one. */
  async function claimNames (speakerId: string, name: string, aliases: string[]): Promise<void> {
    const keys = [foldKey(name), ...aliases.map(foldKey)]
    const taken = await speakers.nameTaken(keys, speakerId)
    if (taken !== undefined) {
      const clash = [name, ...aliases].find((n) => foldKey(n) === taken.nameKey) ?? taken.nameKey
      throw new Duplicate({ kind: 'speaker', id: taken.speakerId }, `The name "${clash}" is already a name or alias of speaker ${taken.speakerId}`)
    }
    await speakers.setNames(speakerId, keys)
  }

  /** Inserts a speaker and its `speaker.created` event; the caller holds the transaction. */
  async function insert (ctx: WriteContext, input: SpeakerCreate, at: string, id = newId()): Promise<Speaker> {
    const speaker: Speaker = {
      id,
      name: input.name,
      kind: input.kind,
      description: input.description ?? null,
      aliases: distinctAliases(input.name, input.aliases),
      createdAt: at,
      updatedAt: at,
      version: 1
    }
    await speakers.insert(speaker)
    await claimNames(speaker.id, speaker.name, speaker.aliases)
    await ledger.append(ctx, [{ action: 'speaker.created', entityType: 'speaker', entityId: speaker.id, changes: snapshot(editable(speaker)) }], at)
    return speaker
  }

  async function findByName (name: string): Promise<Speaker | undefined> {
    const id = await speakers.idByNameKey(foldKey(name))
    return id === undefined ? undefined : await speakers.get(id)
  }

  return {
    get: async (id: string): Promise<Speaker | undefined> => await speakers.get(id),
    require,
    findByName,
    getMany: async (ids: string[]): Promise<Speaker[]> => await speakers.getMany(ids),

    async create (ctx: WriteContext, input: SpeakerCreate): Promise<Speaker> {
      return await transaction(async () => await insert(ctx, input, new Date().toISOString()))
    },

    /**
     * The speaker whose name or alias matches `input.name` (case-insensitive), else a new
     * one. Inside a caller's transaction (a savepoint), so a claim and its new speaker
     * commit together. `id` is for the seeder only (fixed ids the documentation's examples name).
     */
    async findOrCreate (ctx: WriteContext, input: SpeakerCreate, at: string, id?: string): Promise<Speaker> {
      return await transaction(async () => await findByName(input.name) ?? await insert(ctx, input, at, id))
    },

    async update (ctx: WriteContext, id: string, patch: SpeakerUpdate, expected?: VersionCondition): Promise<Speaker> {
      return await transaction(async () => {
        const before = await require(id)
        assertVersion('Speaker', expected, before.version)
        const name = patch.name ?? before.name
        const next = applyPatch(editable(before), patch)
        next.aliases = distinctAliases(name, next.aliases)
        const changes = diff(editable(before), next)
        if (Object.keys(changes).length === 0) return before
        const at = new Date().toISOString()
        const after: Speaker = { ...before, ...next, updatedAt: at, version: before.version + 1 }
        await speakers.update(after)
        if (changes.name !== undefined || changes.aliases !== undefined) await claimNames(id, after.name, after.aliases)
        await ledger.append(ctx, [{ action: 'speaker.updated', entityType: 'speaker', entityId: id, changes }], at)
        return after
      })
    },

    /** Deletes an unused speaker; 409 while any claim or appearance (deleted claims' too: history) names it. */
    async delete (ctx: WriteContext, id: string, expected?: VersionCondition): Promise<void> {
      await transaction(async () => {
        const before = await require(id)
        assertVersion('Speaker', expected, before.version)
        const used = await speakers.claimsBy(id)
        if (used > 0) throw new Conflict(`Speaker ${id} is the speaker of ${used} claim(s) or appearance(s), deleted claims included (their history needs it); it cannot be deleted`, { claims: used })
        await speakers.delete(id)
        await ledger.append(ctx, [{ action: 'speaker.deleted', entityType: 'speaker', entityId: id, changes: removal(editable(before)) }])
      })
    },

    /** Oldest first; `q` matches a prefix of any name or alias. */
    async list (opts: { q?: string | undefined, limit: number, afterId?: string | undefined }): Promise<Speaker[]> {
      return await speakers.list({ namePrefix: opts.q === undefined ? undefined : foldKey(opts.q), limit: opts.limit, afterId: opts.afterId })
    }
  }
}

export type SpeakersService = ReturnType<typeof createSpeakersService>
