/** The sources repository on SQLite: the only SQL for the sources table. */
import { and, asc, count, eq, gt, gte, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm'
import { isUuid } from '../../db/ids.js'
import type { Db } from '../../db/open.js'
import { appearances, claims, sources } from '../../db/schema.js'
import { toSource, type SourcesRepository } from './repository.js'

type Row = typeof sources.$inferSelect

const maybe = (row: Row | undefined) => row === undefined ? undefined : toSource(row)

export function createSqliteSourcesRepository (db: Db): SourcesRepository {
  const byId = db.select().from(sources).where(eq(sources.id, sql.placeholder('id'))).prepare()
  // Every inline source of a create or an import line is looked up by these: prepared once.
  const byUrlKey = db.select().from(sources).where(eq(sources.urlKey, sql.placeholder('urlKey'))).prepare()
  const byTitle = (publisher: SQL) => db.select().from(sources).where(and(eq(sources.titleKey, sql.placeholder('titleKey')), publisher))
    .orderBy(asc(sources.id)).limit(1).prepare()
  const byTitleOnly = byTitle(isNull(sources.publisherKey))
  const byTitleAndPublisher = byTitle(eq(sources.publisherKey, sql.placeholder('publisherKey')))
  return {
    get: (id) => isUuid(id) ? maybe(byId.get({ id })) : undefined,
    getMany: (ids) => ids.length === 0 ? [] : db.select().from(sources).where(inArray(sources.id, ids)).all().map(toSource),
    byUrlKey: (urlKey) => maybe(byUrlKey.get({ urlKey })),
    byTitle: (titleKey, publisherKey) => maybe(publisherKey === null ? byTitleOnly.get({ titleKey }) : byTitleAndPublisher.get({ titleKey, publisherKey })),
    insert: (source, keys) => { db.insert(sources).values({ ...source, ...keys }).run() },
    update: (source, keys) => { db.update(sources).set({ ...source, ...keys }).where(eq(sources.id, source.id)).run() },
    delete: (id) => { db.delete(sources).where(eq(sources.id, id)).run() },
    citedBy: (id) => (db.select({ n: count() }).from(claims).where(eq(claims.sourceId, id)).get()?.n ?? 0) +
      (db.select({ n: count() }).from(appearances).where(eq(appearances.sourceId, id)).get()?.n ?? 0),
    list: (opts) => {
      const where: SQL[] = []
      if (opts.afterId !== undefined) where.push(gt(sources.id, opts.afterId))
      if (opts.titlePrefix !== undefined) where.push(gte(sources.titleKey, opts.titlePrefix), lt(sources.titleKey, opts.titlePrefix + '\u{10FFFF}'))
      if (opts.publisherKey !== undefined) where.push(eq(sources.publisherKey, opts.publisherKey))
      return db.select().from(sources).where(and(...where)).orderBy(asc(sources.id)).limit(opts.limit).all().map(toSource)
    }
  }
}
