/**
 * Sources: where claims were made, over a SourcesRepository (the SQL, one per engine). A URL
 * names one source (normalised: scheme and host case, default port, fragment); without one, a
 * source is found by title and publisher, case-insensitively. A source any claim cites (deleted
 * claims too: their history needs it) cannot be deleted. Every change is audited.
 */
import { applyPatch, diff, removal, snapshot, type Ledger } from '../audit/ledger.js'
import { type WriteContext } from '../../core/context.js'
import { Conflict, Duplicate, NotFound } from '../../core/errors.js'
import { assertVersion, type VersionCondition } from '../../core/versions.js'
import { newId } from '../../db/ids.js'
import type { Repository, Transact } from '../../db/engine.js'
import { foldKey, urlKey } from '../../text.js'
import type { SourceKeys, SourcesRepository } from './repository.js'
import type { Source, SourceCreate, SourceUpdate } from './schemas.js'

const editable = (s: Source) => ({ title: s.title, publisher: s.publisher, url: s.url, kind: s.kind, publishedAt: s.publishedAt })

/** The stored comparison keys of a source's title, publisher and URL. */
const keys = (s: Pick<Source, 'title' | 'publisher' | 'url'>): SourceKeys => ({
  titleKey: foldKey(s.title),
  publisherKey: s.publisher === null ? null : foldKey(s.publisher),
  urlKey: s.url === null ? null : urlKey(s.url)
})

export interface SourcesDeps {
  transaction: Transact
  sources: Repository<SourcesRepository>
  ledger: Pick<Ledger, 'append'>
}

export function createSourcesService ({ transaction, sources, ledger }: SourcesDeps) {
  async function require (id: string): Promise<Source> {
    const found = await sources.get(id)
    if (found === undefined) throw new NotFound(`Source ${id} does not exist`)
    return found
  }

  async function assertUrlFree (url: string | null, selfId?: string): Promise<void> {
    if (url === null) return
    const other = await sources.byUrlKey(urlKey(url))
    if (other !== undefined && other.id !== selfId) {
      throw new Duplicate({ kind: 'source', id: other.id }, `Source ${other.id} already has the URL ${url}`)
    }
  }

  async function insert (ctx: WriteContext, input: SourceCreate, at: string, id = newId()): Promise<Source> {
    const source: Source = {
      id,
      title: input.title,
      publisher: input.publisher ?? null,
      url: input.url ?? null,
      kind: input.kind,
      publishedAt: input.publishedAt ?? null,
      createdAt: at,
      updatedAt: at,
      version: 1
    }
    await assertUrlFree(source.url)
    await sources.insert(source, keys(source))
    await ledger.append(ctx, [{ action: 'source.created', entityType: 'source', entityId: source.id, changes: snapshot(editable(source)) }], at)
    return source
  }

  /** By URL when one is given, else by title and publisher (case-insensitive). */
  const find = async (input: SourceCreate): Promise<Source | undefined> => input.url != null
    ? await sources.byUrlKey(urlKey(input.url))
    : await sources.byTitle(foldKey(input.title), input.publisher == null ? null : foldKey(input.publisher))

  return {
    get: async (id: string): Promise<Source | undefined> => await sources.get(id),
    require,
    find,
    getMany: async (ids: string[]): Promise<Source[]> => await sources.getMany(ids),

    async create (ctx: WriteContext, input: SourceCreate): Promise<Source> {
      return await transaction(async () => await insert(ctx, input, new Date().toISOString()))
    },

    /**
     * Inside a caller's transaction (a savepoint), so a claim and its new source commit together.
     * `id` is for the seeder only (fixed ids the documentation's examples name); the API never passes one.
     */
    async findOrCreate (ctx: WriteContext, input: SourceCreate, at: string, id?: string): Promise<Source> {
      return await transaction(async () => await find(input) ?? await insert(ctx, input, at, id))
    },

    async update (ctx: WriteContext, id: string, patch: SourceUpdate, expected?: VersionCondition): Promise<Source> {
      return await transaction(async () => {
        const before = await require(id)
        assertVersion('Source', expected, before.version)
        const next = applyPatch(editable(before), patch)
        const changes = diff(editable(before), next)
        if (Object.keys(changes).length === 0) return before
        if (changes.url !== undefined) await assertUrlFree(next.url, id)
        const at = new Date().toISOString()
        const after: Source = { ...before, ...next, updatedAt: at, version: before.version + 1 }
        await sources.update(after, keys(after))
        await ledger.append(ctx, [{ action: 'source.updated', entityType: 'source', entityId: id, changes }], at)
        return after
      })
    },

    /** Deletes an unused source; 409 while any claim or appearance (deleted claims' too: history) cites it. */
    async delete (ctx: WriteContext, id: string, expected?: VersionCondition): Promise<void> {
      await transaction(async () => {
        const before = await require(id)
        assertVersion('Source', expected, before.version)
        const used = await sources.citedBy(id)
        if (used > 0) throw new Conflict(`Source ${id} is cited by ${used} claim(s) or appearance(s), deleted claims included (their history needs it); it cannot be deleted`, { claims: used })
        await sources.delete(id)
        await ledger.append(ctx, [{ action: 'source.deleted', entityType: 'source', entityId: id, changes: removal(editable(before)) }])
      })
    },

    /** Oldest first; `q` is a title prefix, `publisher` an exact publisher, both case-insensitive. */
    async list (opts: { q?: string | undefined, publisher?: string | undefined, limit: number, afterId?: string | undefined }): Promise<Source[]> {
      return await sources.list({
        titlePrefix: opts.q === undefined ? undefined : foldKey(opts.q),
        publisherKey: opts.publisher === undefined ? undefined : foldKey(opts.publisher),
        limit: opts.limit,
        afterId: opts.afterId
      })
    }
  }
}

export type SourcesService = ReturnType<typeof createSourcesService>
