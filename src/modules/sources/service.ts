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
import type { Database_ } from '../../db/open.js'
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
  transaction: Database_['transaction']
  sources: SourcesRepository
  ledger: Pick<Ledger, 'append'>
}

export function createSourcesService ({ transaction, sources, ledger }: SourcesDeps) {
  function require (id: string): Source {
    const found = sources.get(id)
    if (found === undefined) throw new NotFound(`Source ${id} does not exist`)
    return found
  }

  function assertUrlFree (url: string | null, selfId?: string) {
    if (url === null) return
    const other = sources.byUrlKey(urlKey(url))
    if (other !== undefined && other.id !== selfId) {
      throw new Duplicate({ kind: 'source', id: other.id }, `Source ${other.id} already has the URL ${url}`)
    }
  }

  function insert (ctx: WriteContext, input: SourceCreate, at: string, id = newId()): Source {
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
    assertUrlFree(source.url)
    sources.insert(source, keys(source))
    ledger.append(ctx, [{ action: 'source.created', entityType: 'source', entityId: source.id, changes: snapshot(editable(source)) }], at)
    return source
  }

  /** By URL when one is given, else by title and publisher (case-insensitive). */
  const find = (input: SourceCreate): Source | undefined => input.url != null
    ? sources.byUrlKey(urlKey(input.url))
    : sources.byTitle(foldKey(input.title), input.publisher == null ? null : foldKey(input.publisher))

  return {
    get: (id: string): Source | undefined => sources.get(id),
    require,
    getMany: (ids: string[]): Source[] => sources.getMany(ids),

    create (ctx: WriteContext, input: SourceCreate): Source {
      return transaction(() => insert(ctx, input, new Date().toISOString()))
    },

    /**
     * Inside a caller's transaction (a savepoint), so a claim and its new source commit together.
     * `id` is for the seeder only (fixed ids the documentation's examples name); the API never passes one.
     */
    findOrCreate (ctx: WriteContext, input: SourceCreate, at: string, id?: string): Source {
      return transaction(() => find(input) ?? insert(ctx, input, at, id))
    },

    update (ctx: WriteContext, id: string, patch: SourceUpdate, expected?: VersionCondition): Source {
      return transaction(() => {
        const before = require(id)
        assertVersion('Source', expected, before.version)
        const next = applyPatch(editable(before), patch)
        const changes = diff(editable(before), next)
        if (Object.keys(changes).length === 0) return before
        if (changes.url !== undefined) assertUrlFree(next.url, id)
        const at = new Date().toISOString()
        const after: Source = { ...before, ...next, updatedAt: at, version: before.version + 1 }
        sources.update(after, keys(after))
        ledger.append(ctx, [{ action: 'source.updated', entityType: 'source', entityId: id, changes }], at)
        return after
      })
    },

    /** Deletes an unused source; 409 while any claim (deleted ones too: history) cites it. */
    delete (ctx: WriteContext, id: string, expected?: VersionCondition): void {
      transaction(() => {
        const before = require(id)
        assertVersion('Source', expected, before.version)
        const used = sources.citedBy(id)
        if (used > 0) throw new Conflict(`Source ${id} is cited by ${used} claim(s), deleted ones included (their history needs it); it cannot be deleted`, { claims: used })
        sources.delete(id)
        ledger.append(ctx, [{ action: 'source.deleted', entityType: 'source', entityId: id, changes: removal(editable(before)) }])
      })
    },

    /** Oldest first; `q` is a title prefix, `publisher` an exact publisher, both case-insensitive. */
    list (opts: { q?: string | undefined, publisher?: string | undefined, limit: number, afterId?: string | undefined }): Source[] {
      return sources.list({
        titlePrefix: opts.q === undefined ? undefined : foldKey(opts.q),
        publisherKey: opts.publisher === undefined ? undefined : foldKey(opts.publisher),
        limit: opts.limit,
        afterId: opts.afterId
      })
    }
  }
}

export type SourcesService = ReturnType<typeof createSourcesService>
