/** The sources repository on PostgreSQL: the same operations as sqlite.ts, in its SQL. */
import { and, asc, count, eq, gt, inArray, isNull, sql, type SQL } from 'drizzle-orm'
import type { Async } from '../../db/engine.js'
import { isUuid } from '../../db/ids.js'
import type { PgQ } from '../../db/postgres/engine.js'
import { appearances, claims, sources } from '../../db/postgres/schema.js'
import { toSource, type SourcesRepository } from './repository.js'

type Row = typeof sources.$inferSelect

const first = (rows: Row[]) => rows[0] === undefined ? undefined : toSource(rows[0])

export function createPostgresSourcesRepository (q: PgQ): Async<SourcesRepository> {
  return {
    get: async (id) => isUuid(id) ? first(await q.select().from(sources).where(eq(sources.id, id))) : undefined,
    getMany: async (ids) => ids.length === 0 ? [] : (await q.select().from(sources).where(inArray(sources.id, ids))).map(toSource),
    byUrlKey: async (urlKey) => first(await q.select().from(sources).where(eq(sources.urlKey, urlKey))),
    byTitle: async (titleKey, publisherKey) => first(await q.select().from(sources)
      .where(and(eq(sources.titleKey, titleKey), publisherKey === null ? isNull(sources.publisherKey) : eq(sources.publisherKey, publisherKey)))
      .orderBy(asc(sources.id)).limit(1)),
    insert: async (source, keys) => { await q.insert(sources).values({ ...source, ...keys }) },
    update: async (source, keys) => { await q.update(sources).set({ ...source, ...keys }).where(eq(sources.id, source.id)) },
    delete: async (id) => { await q.delete(sources).where(eq(sources.id, id)) },
    citedBy: async (id) => ((await q.select({ n: count() }).from(claims).where(eq(claims.sourceId, id)))[0]?.n ?? 0) +
      ((await q.select({ n: count() }).from(appearances).where(eq(appearances.sourceId, id)))[0]?.n ?? 0),
    list: async (opts) => {
      const where: SQL[] = []
      if (opts.afterId !== undefined) where.push(gt(sources.id, opts.afterId))
      // starts_with, not a range: under the database's collation a range need not mean "prefix".
      if (opts.titlePrefix !== undefined) where.push(sql`starts_with(${sources.titleKey}, ${opts.titlePrefix})`)
      if (opts.publisherKey !== undefined) where.push(eq(sources.publisherKey, opts.publisherKey))
      return (await q.select().from(sources).where(and(...where)).orderBy(asc(sources.id)).limit(opts.limit)).map(toSource)
    }
  }
}
