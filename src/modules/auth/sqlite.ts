/** The API keys repository on SQLite: the only SQL for the api_keys table. */
import { and, asc, count, eq, gt, isNull, sql } from 'drizzle-orm'
import { isUuid } from '../../db/ids.js'
import type { Db } from '../../db/open.js'
import { apiKeys } from '../../db/schema.js'
import type { ApiKeysRepository } from './repository.js'

export function createSqliteApiKeysRepository (db: Db): ApiKeysRepository {
  const byHash = db.select().from(apiKeys).where(eq(apiKeys.keyHash, sql.placeholder('keyHash'))).prepare()
  return {
    byHash: (keyHash) => byHash.get({ keyHash }),
    get: (id) => isUuid(id) ? db.select().from(apiKeys).where(eq(apiKeys.id, id)).get() : undefined,
    list: (limit, afterId) => db.select().from(apiKeys)
      .where(afterId === undefined ? undefined : gt(apiKeys.id, afterId))
      .orderBy(asc(apiKeys.id)).limit(limit).all(),
    insert: (row) => { db.insert(apiKeys).values(row).run() },
    revoke: (id, at) => { db.update(apiKeys).set({ revokedAt: at }).where(eq(apiKeys.id, id)).run() },
    activeAdmins: () => db.select({ n: count() }).from(apiKeys).where(and(eq(apiKeys.role, 'admin'), isNull(apiKeys.revokedAt))).get()?.n ?? 0,
    any: () => db.select({ id: apiKeys.id }).from(apiKeys).limit(1).get() !== undefined
  }
}
