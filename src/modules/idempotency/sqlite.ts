/** The idempotency repository on SQLite: the only SQL for the idempotency_keys table. */
import { and, eq, gt, lte } from 'drizzle-orm'
import type { Db } from '../../db/open.js'
import { idempotencyKeys } from '../../db/schema.js'
import type { IdempotencyRepository } from './repository.js'

export function createSqliteIdempotencyRepository (db: Db): IdempotencyRepository {
  return {
    find: (actorId, key, now) => db.select().from(idempotencyKeys).where(and(
      eq(idempotencyKeys.actorId, actorId), eq(idempotencyKeys.key, key), gt(idempotencyKeys.expiresAt, now)
    )).get(),
    purgeExpired: (now) => { db.delete(idempotencyKeys).where(lte(idempotencyKeys.expiresAt, now)).run() },
    insert: (row) => { db.insert(idempotencyKeys).values(row).run() }
  }
}
