/** Speakers: the only SQL for them. Names and aliases live folded in `speaker_names`. */
import { and, asc, count, eq, gt, gte, inArray, lt, ne, sql, type SQL } from 'drizzle-orm'
import { applyPatch, diff, removal, snapshot, type Ledger, type WriteContext } from '../audit/ledger.js'
import { isUuid, newId } from '../db/ids.js'
import type { Database_ } from '../db/open.js'
import { claims, speakerNames, speakers } from '../db/schema.js'
import { assertVersion, type VersionCondition } from '../core/versions.js'
import { Conflict, Duplicate, NotFound } from '../core/errors.js'
import { foldKey } from '../text.js'
import type { Speaker, SpeakerCreate, SpeakerUpdate } from './schemas.js'

type Row = typeof speakers.$inferSelect

const toSpeaker = (row: Row): Speaker => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  description: row.description,
  aliases: row.aliases,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  version: row.version
})

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

export function createSpeakersStore ({ db, transaction }: Database_, ledger: Ledger) {
  const byId = db.select().from(speakers).where(eq(speakers.id, sql.placeholder('id'))).prepare()
  const byNameKey = db.select({ id: speakerNames.speakerId }).from(speakerNames).where(eq(speakerNames.nameKey, sql.placeholder('nameKey'))).prepare()

  function get (id: string): Speaker | undefined {
    if (!isUuid(id)) return undefined
    const row = byId.get({ id })
    return row === undefined ? undefined : toSpeaker(row)
  }

  function require (id: string): Speaker {
    const found = get(id)
    if (found === undefined) throw new NotFound(`Speaker ${id} does not exist`)
    return found
  }

  /** Claims every name of a speaker in `speaker_names`; 409 if another speaker has one. */
  function claimNames (speakerId: string, name: string, aliases: string[]) {
    const keys = [foldKey(name), ...aliases.map(foldKey)]
    const taken = db.select().from(speakerNames)
      .where(and(inArray(speakerNames.nameKey, keys), ne(speakerNames.speakerId, speakerId))).get()
    if (taken !== undefined) {
      const clash = [name, ...aliases].find((n) => foldKey(n) === taken.nameKey) ?? taken.nameKey
      throw new Duplicate({ kind: 'speaker', id: taken.speakerId }, `The name "${clash}" is already a name or alias of speaker ${taken.speakerId}`)
    }
    db.delete(speakerNames).where(eq(speakerNames.speakerId, speakerId)).run()
    db.insert(speakerNames).values(keys.map((nameKey, i) => ({ nameKey, speakerId, isAlias: i > 0 }))).run()
  }

  /** Inserts a speaker and its `speaker.created` event; the caller holds the transaction. */
  function insert (ctx: WriteContext, input: SpeakerCreate, at: string, id = newId()): Speaker {
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
    db.insert(speakers).values(speaker).run()
    claimNames(speaker.id, speaker.name, speaker.aliases)
    ledger.append(ctx, [{ action: 'speaker.created', entityType: 'speaker', entityId: speaker.id, changes: snapshot(editable(speaker)) }], at)
    return speaker
  }

  function findByName (name: string): Speaker | undefined {
    const hit = byNameKey.get({ nameKey: foldKey(name) })
    return hit === undefined ? undefined : get(hit.id)
  }

  return {
    get,
    require,
    findByName,

    getMany (ids: string[]): Speaker[] {
      return ids.length === 0 ? [] : db.select().from(speakers).where(inArray(speakers.id, ids)).all().map(toSpeaker)
    },

    create (ctx: WriteContext, input: SpeakerCreate): Speaker {
      return transaction(() => insert(ctx, input, new Date().toISOString()))
    },

    /**
     * The speaker whose name or alias matches `input.name` (case-insensitive), else a new
     * one. Inside a caller's transaction (a savepoint), so a claim and its new speaker
     * commit together. `id` is for the seeder only (fixed ids the documentation's examples name).
     */
    findOrCreate (ctx: WriteContext, input: SpeakerCreate, at: string, id?: string): Speaker {
      return transaction(() => findByName(input.name) ?? insert(ctx, input, at, id))
    },

    update (ctx: WriteContext, id: string, patch: SpeakerUpdate, expected?: VersionCondition): Speaker {
      return transaction(() => {
        const before = require(id)
        assertVersion('Speaker', expected, before.version)
        const name = patch.name ?? before.name
        const next = applyPatch(editable(before), patch)
        next.aliases = distinctAliases(name, next.aliases)
        const changes = diff(editable(before), next)
        if (Object.keys(changes).length === 0) return before
        const at = new Date().toISOString()
        const after: Speaker = { ...before, ...next, updatedAt: at, version: before.version + 1 }
        db.update(speakers).set(after).where(eq(speakers.id, id)).run()
        if (changes.name !== undefined || changes.aliases !== undefined) claimNames(id, after.name, after.aliases)
        ledger.append(ctx, [{ action: 'speaker.updated', entityType: 'speaker', entityId: id, changes }], at)
        return after
      })
    },

    /** Deletes an unused speaker; 409 while any claim (deleted ones too: history) names it. */
    delete (ctx: WriteContext, id: string, expected?: VersionCondition): void {
      transaction(() => {
        const before = require(id)
        assertVersion('Speaker', expected, before.version)
        const used = db.select({ n: count() }).from(claims).where(eq(claims.speakerId, id)).get()?.n ?? 0
        if (used > 0) throw new Conflict(`Speaker ${id} is the speaker of ${used} claim(s), deleted ones included (their history needs it); it cannot be deleted`, { claims: used })
        db.delete(speakers).where(eq(speakers.id, id)).run()
        ledger.append(ctx, [{ action: 'speaker.deleted', entityType: 'speaker', entityId: id, changes: removal(editable(before)) }])
      })
    },

    /** Oldest first; `q` matches a prefix of any name or alias. */
    list (opts: { q?: string | undefined, limit: number, afterId?: string | undefined }): Speaker[] {
      const where: SQL[] = []
      if (opts.afterId !== undefined) where.push(gt(speakers.id, opts.afterId))
      if (opts.q !== undefined) {
        const prefix = foldKey(opts.q)
        const matching = db.selectDistinct({ id: speakerNames.speakerId }).from(speakerNames)
          .where(and(gte(speakerNames.nameKey, prefix), lt(speakerNames.nameKey, prefix + '\u{10FFFF}')))
        where.push(inArray(speakers.id, matching))
      }
      return db.select().from(speakers).where(and(...where)).orderBy(asc(speakers.id)).limit(opts.limit).all().map(toSpeaker)
    }
  }
}

export type SpeakersStore = ReturnType<typeof createSpeakersStore>
