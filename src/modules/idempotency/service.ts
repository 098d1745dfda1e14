/**
 * Stored answers for `Idempotency-Key` retries (24 h), over an IdempotencyRepository (the SQL,
 * one per engine). Not history: expired rows are purged. `remember` must run in the same
 * transaction as the effects it vouches for, so a stored answer always means "applied".
 */
import { createHash } from 'node:crypto'
import { canonicalJson } from '../audit/ledger.js'
import { Conflict } from '../../core/errors.js'
import type { Repository } from '../../db/engine.js'
import type { IdempotencyRepository } from './repository.js'

export const IDEMPOTENCY_TTL_MS = 24 * 3600_000

export interface StoredResponse { statusCode: number, body: unknown }

/** The hash that tells "the same request" from "another request under the same key". */
export const requestHash = (body: unknown) => createHash('sha256').update(canonicalJson(body)).digest('hex')

export interface IdempotencyDeps {
  idempotency: Repository<IdempotencyRepository>
  /** Throws unless the write transaction is open (the stored answer must commit with the effects). */
  assertInTransaction: (what: string) => void
}

export function createIdempotencyService ({ idempotency, assertInTransaction }: IdempotencyDeps) {
  return {
    /**
     * The stored response for this caller's key, if any and not expired; 409 when the key
     * was used for a different request.
     */
    async recall (actorId: string, key: string, hash: string, now = Date.now()): Promise<StoredResponse | undefined> {
      const row = await idempotency.find(actorId, key, new Date(now).toISOString())
      if (row === undefined) return undefined
      if (row.requestHash !== hash) {
        throw new Conflict(`Idempotency-Key "${key}" was already used with a different request body; use a new key`)
      }
      return { statusCode: row.statusCode, body: JSON.parse(row.response) }
    },

    async remember (actorId: string, key: string, hash: string, response: StoredResponse, now = Date.now()): Promise<void> {
      assertInTransaction('remember')
      const createdAt = new Date(now).toISOString()
      // Expired keys are free again: purge them (this also clears the way for this key).
      await idempotency.purgeExpired(createdAt)
      await idempotency.insert({
        actorId,
        key,
        requestHash: hash,
        statusCode: response.statusCode,
        response: JSON.stringify(response.body),
        createdAt,
        expiresAt: new Date(now + IDEMPOTENCY_TTL_MS).toISOString()
      })
    }
  }
}

export type IdempotencyService = ReturnType<typeof createIdempotencyService>
