/** The sources repository on SQLite: the only SQL for the sources table. */
import { and, asc, count, eq, gt, gte, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm'
import { isUuid } from '../../db/ids.js'
import type { Db } from '../../db/open.js'
import { claims, sources } from '../../db/schema.js'
import { toSource, type SourcesRepository } from './repository.js'

type Row = typeof sources.$inferSelect

const maybe = (row: Row | undefined) => row === undefined ? undefined : toSource(row)

export function createSqliteSourcesRepository (db: Db): SourcesRepository {
  const byId = db.select().from(sources).where(eq(sources.id, sql.placeholder('id'))).prepare()
  return {
    get: (id) => isUuid(id) ? maybe(byId.get({ id })) : undefined,
    getMany: (ids) => ids.length === 0 ? [] : db.select().from(sources).where(inArray(sources.id, ids)).all().map(toSource),
    byUrlKey: (urlKey) => maybe(db.select().from(sources).where(eq(sources.urlKey, urlKey)).get()),
    byTitle: (titleKey, publisherKey) => maybe(db.select().from(sources)
      .where(and(eq(sources.titleKey, titleKey), publisherKey === null ? isNull(sources.publisherKey) : eq(sources.publisherKey, publisherKey)))
      .orderBy(asc(sources.id)).limit(1).get()),
    insert: (source, keys) => { db.insert(sources).values({ ...source, ...keys }).run() },
    update: (source, keys) => { db.update(sources).set({ ...source, ...keys }).where(eq(sources.id, source.id)).run() },
    delete: (id) => { db.delete(sources).where(eq(sources.id, id)).run() },
    citedBy: (id) => db.select({ n: count() }).from(claims).where(eq(claims.sourceId, id)).get()?.n ?? 0,
    list: (opts) => {
      const where: SQL[] = []
      if (opts.afterId !== undefined) where.push(gt(sources.id, opts.afterId))
      if (opts.titlePrefix !== undefined) where.push(gte(sources.titleKey, opts.titlePrefix), lt(sources.titleKey, opts.titlePrefix + '\u{10FFFF}'))
      if (opts.publisherKey !== undefined) where.push(eq(sources.publisherKey, opts.publisherKey))
      return db.select().from(sources).where(and(...where)).orderBy(asc(sources.id)).limit(opts.limit).all().map(toSource)
    }
  }
}
