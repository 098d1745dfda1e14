/**
 * Stored responses for `Idempotency-Key` retries (24 h). Not history: expired rows are
 * purged. `remember` must run in the same transaction as the effects it vouches for.
 */
import { createHash } from 'node:crypto'
import { and, eq, gt, lte } from 'drizzle-orm'
import { canonicalJson } from '../audit/ledger.js'
import type { Database_ } from '../db/open.js'
import { idempotencyKeys } from '../db/schema.js'
import { Conflict } from '../core/errors.js'

export const IDEMPOTENCY_TTL_MS = 24 * 3600_000

export interface StoredResponse { statusCode: number, body: unknown }

/** The hash that tells "the same request" from "another request under the same key". */
export const requestHash = (body: unknown) => createHash('sha256').update(canonicalJson(body)).digest('hex')

export function createIdempotencyStore ({ db, sqlite }: Database_) {
  return {
    /**
     * The stored response for this caller's key, if any and not expired; 409 when the key
     * was used for a different request.
     */
    recall (actorId: string, key: string, hash: string, now = Date.now()): StoredResponse | undefined {
      const row = db.select().from(idempotencyKeys).where(and(
        eq(idempotencyKeys.actorId, actorId), eq(idempotencyKeys.key, key), gt(idempotencyKeys.expiresAt, new Date(now).toISOString())
      )).get()
      if (row === undefined) return undefined
      if (row.requestHash !== hash) {
        throw new Conflict(`Idempotency-Key "${key}" was already used with a different request body; use a new key`)
      }
      return { statusCode: row.statusCode, body: JSON.parse(row.response) }
    },

    remember (actorId: string, key: string, hash: string, response: StoredResponse, now = Date.now()): void {
      if (!sqlite.inTransaction) throw new Error('remember must run in the transaction of the effects')
      const createdAt = new Date(now).toISOString()
      // Expired keys are free again: purge them (this also clears the way for this key).
      db.delete(idempotencyKeys).where(lte(idempotencyKeys.expiresAt, createdAt)).run()
      db.insert(idempotencyKeys).values({
        actorId,
        key,
        requestHash: hash,
        statusCode: response.statusCode,
        response: JSON.stringify(response.body),
        createdAt,
        expiresAt: new Date(now + IDEMPOTENCY_TTL_MS).toISOString()
      }).run()
    }
  }
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>
