/** The API keys repository on PostgreSQL: the same operations as sqlite.ts, in its SQL. */
import { and, asc, count, eq, gt, isNull } from 'drizzle-orm'
import type { Async } from '../../db/engine.js'
import { isUuid } from '../../db/ids.js'
import type { PgQ } from '../../db/postgres/engine.js'
import { apiKeys } from '../../db/postgres/schema.js'
import type { ApiKeysRepository } from './repository.js'

export function createPostgresApiKeysRepository (q: PgQ): Async<ApiKeysRepository> {
  return {
    byHash: async (keyHash) => (await q.select().from(apiKeys).where(eq(apiKeys.keyHash, keyHash)))[0],
    get: async (id) => isUuid(id) ? (await q.select().from(apiKeys).where(eq(apiKeys.id, id)))[0] : undefined,
    list: async (limit, afterId) => await q.select().from(apiKeys)
      .where(afterId === undefined ? undefined : gt(apiKeys.id, afterId))
      .orderBy(asc(apiKeys.id)).limit(limit),
    insert: async (row) => { await q.insert(apiKeys).values(row) },
    revoke: async (id, at) => { await q.update(apiKeys).set({ revokedAt: at }).where(eq(apiKeys.id, id)) },
    activeAdmins: async () => (await q.select({ n: count() }).from(apiKeys).where(and(eq(apiKeys.role, 'admin'), isNull(apiKeys.revokedAt))))[0]?.n ?? 0,
    any: async () => (await q.select({ id: apiKeys.id }).from(apiKeys).limit(1)).length > 0
  }
}
