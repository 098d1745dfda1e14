/** The idempotency repository on PostgreSQL: the same operations as sqlite.ts, in its SQL. */
import { and, eq, gt, lte } from 'drizzle-orm'
import type { Async } from '../../db/engine.js'
import type { PgQ } from '../../db/postgres/engine.js'
import { idempotencyKeys } from '../../db/postgres/schema.js'
import type { IdempotencyRepository } from './repository.js'

export function createPostgresIdempotencyRepository (q: PgQ): Async<IdempotencyRepository> {
  return {
    find: async (actorId, key, now) => (await q.select().from(idempotencyKeys).where(and(
      eq(idempotencyKeys.actorId, actorId), eq(idempotencyKeys.key, key), gt(idempotencyKeys.expiresAt, now)
    )))[0],
    purgeExpired: async (now) => { await q.delete(idempotencyKeys).where(lte(idempotencyKeys.expiresAt, now)) },
    // The primary key (actor, key) makes "exactly once" the database's business: a second
    // process inserting the same key at once fails here instead of applying twice.
    insert: async (row) => { await q.insert(idempotencyKeys).values(row) }
  }
}
