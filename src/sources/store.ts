/** Sources: the only SQL for them. */
import { and, asc, count, eq, gt, gte, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm'
import { applyPatch, diff, removal, snapshot, type Ledger, type WriteContext } from '../audit/ledger.js'
import { isUuid, newId } from '../db/ids.js'
import type { Database_ } from '../db/open.js'
import { claims, sources } from '../db/schema.js'
import { assertVersion, type VersionCondition } from '../core/versions.js'
import { Conflict, Duplicate, NotFound } from '../core/errors.js'
import { foldKey, urlKey } from '../text.js'
import type { Source, SourceCreate, SourceUpdate } from './schemas.js'

type Row = typeof sources.$inferSelect

const toSource = (row: Row): Source => ({
  id: row.id,
  title: row.title,
  publisher: row.publisher,
  url: row.url,
  kind: row.kind,
  publishedAt: row.publishedAt,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  version: row.version
})

const editable = (s: Source) => ({ title: s.title, publisher: s.publisher, url: s.url, kind: s.kind, publishedAt: s.publishedAt })

/** The stored comparison keys of a source's title, publisher and URL. */
const keys = (s: Pick<Source, 'title' | 'publisher' | 'url'>) => ({
  titleKey: foldKey(s.title),
  publisherKey: s.publisher === null ? null : foldKey(s.publisher),
  urlKey: s.url === null ? null : urlKey(s.url)
})

export function createSourcesStore ({ db, transaction }: Database_, ledger: Ledger) {
  const byId = db.select().from(sources).where(eq(sources.id, sql.placeholder('id'))).prepare()

  function get (id: string): Source | undefined {
    if (!isUuid(id)) return undefined
    const row = byId.get({ id })
    return row === undefined ? undefined : toSource(row)
  }

  function require (id: string): Source {
    const found = get(id)
    if (found === undefined) throw new NotFound(`Source ${id} does not exist`)
    return found
  }

  function assertUrlFree (url: string | null, selfId?: string) {
    if (url === null) return
    const other = db.select({ id: sources.id }).from(sources).where(eq(sources.urlKey, urlKey(url))).get()
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
    db.insert(sources).values({ ...source, ...keys(source) }).run()
    ledger.append(ctx, [{ action: 'source.created', entityType: 'source', entityId: source.id, changes: snapshot(editable(source)) }], at)
    return source
  }

  /** By URL when one is given, else by title and publisher (case-insensitive). */
  function find (input: SourceCreate): Source | undefined {
    let row: Row | undefined
    if (input.url != null) {
      row = db.select().from(sources).where(eq(sources.urlKey, urlKey(input.url))).get()
    } else {
      const publisher = input.publisher == null ? isNull(sources.publisherKey) : eq(sources.publisherKey, foldKey(input.publisher))
      row = db.select().from(sources)
        .where(and(eq(sources.titleKey, foldKey(input.title)), publisher))
        .orderBy(asc(sources.id)).limit(1).get()
    }
    return row === undefined ? undefined : toSource(row)
  }

  return {
    get,
    require,

    getMany (ids: string[]): Source[] {
      return ids.length === 0 ? [] : db.select().from(sources).where(inArray(sources.id, ids)).all().map(toSource)
    },

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
        db.update(sources).set({ ...after, ...keys(after) }).where(eq(sources.id, id)).run()
        ledger.append(ctx, [{ action: 'source.updated', entityType: 'source', entityId: id, changes }], at)
        return after
      })
    },

    /** Deletes an unused source; 409 while any claim (deleted ones too: history) cites it. */
    delete (ctx: WriteContext, id: string, expected?: VersionCondition): void {
      transaction(() => {
        const before = require(id)
        assertVersion('Source', expected, before.version)
        const used = db.select({ n: count() }).from(claims).where(eq(claims.sourceId, id)).get()?.n ?? 0
        if (used > 0) throw new Conflict(`Source ${id} is cited by ${used} claim(s), deleted ones included (their history needs it); it cannot be deleted`, { claims: used })
        db.delete(sources).where(eq(sources.id, id)).run()
        ledger.append(ctx, [{ action: 'source.deleted', entityType: 'source', entityId: id, changes: removal(editable(before)) }])
      })
    },

    /** Oldest first; `q` is a title prefix, `publisher` an exact publisher, both case-insensitive. */
    list (opts: { q?: string | undefined, publisher?: string | undefined, limit: number, afterId?: string | undefined }): Source[] {
      const where: SQL[] = []
      if (opts.afterId !== undefined) where.push(gt(sources.id, opts.afterId))
      if (opts.q !== undefined) {
        const prefix = foldKey(opts.q)
        where.push(gte(sources.titleKey, prefix), lt(sources.titleKey, prefix + '\u{10FFFF}'))
      }
      if (opts.publisher !== undefined) where.push(eq(sources.publisherKey, foldKey(opts.publisher)))
      return db.select().from(sources).where(and(...where)).orderBy(asc(sources.id)).limit(opts.limit).all().map(toSource)
    }
  }
}

export type SourcesStore = ReturnType<typeof createSourcesStore>
