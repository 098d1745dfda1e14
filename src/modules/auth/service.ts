/**
 * API keys: random secrets shown once, stored only as SHA-256 hashes (an ApiKeysRepository
 * per engine), revocable; the last active admin key cannot be revoked. Every change is audited.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { Ledger } from '../audit/ledger.js'
import { type WriteContext } from '../../core/context.js'
import { Conflict, Invalid, NotFound } from '../../core/errors.js'
import { newId } from '../../db/ids.js'
import type { Repository, Transact } from '../../db/engine.js'
import type { ApiKeyRow, ApiKeysRepository } from './repository.js'
import { isReservedName, RESERVED_NAME, type Actor } from '../../core/context.js'
import type { ApiKey, ApiKeyCreate } from './schemas.js'

const KEY_PREFIX = 'clk_'

/** 32 random bytes (256 bits), base64url, with a prefix that secret scanners can match. */
export function generateKey (): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url')
}

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex')

const toApiKey = (row: ApiKeyRow): ApiKey =>
  ({ id: row.id, name: row.name, role: row.role, createdAt: row.createdAt, revokedAt: row.revokedAt })

/** Active keys remembered at most; past it the cache starts again (there are rarely more than a few dozen). */
const CACHE_LIMIT = 10_000
/** How often the key cache looks for commits by other processes on SQLite (see below). */
export const RECHECK_MS = 1000

/**
 * Active keys remembered by hash, shared by every scope's service of one process. Every
 * request authenticates, and keys change rarely. The cache is dropped when this process
 * revokes a key, and when another process may have changed them (`changedElsewhere`), since
 * that may be `claimledger keys revoke` beside the server or another instance. On SQLite that
 * is `data_version`, whose read was itself 4% of a GET, so it is read at most every
 * RECHECK_MS: a key revoked by another process stops working within that time. On PostgreSQL
 * it is a counter that notifications move, read on every request (`recheckMs` 0). Unknown keys
 * are never remembered, so guessing cannot fill the cache; a key read while the cache was
 * dropped (a revocation committing meanwhile, here or elsewhere) is not remembered either.
 */
export function createKeyCache ({ changedElsewhere, recheckMs = RECHECK_MS }: {
  /** Changes when another process may have changed the keys, never for this process's own writes. */
  changedElsewhere: () => number
  recheckMs?: number
}) {
  const cache = new Map<string, Actor>()
  /** Counts the drops: a read that started before one is not remembered. */
  let generation = 0
  let version = changedElsewhere()
  // performance.now(): a wall clock stepped backwards would postpone the recheck.
  let checkedAt = performance.now()
  const drop = () => {
    cache.clear()
    generation++
  }
  return {
    drop,
    get (keyHash: string): Actor | undefined {
      const now = performance.now()
      if (now - checkedAt >= recheckMs) {
        checkedAt = now
        const current = changedElsewhere()
        if (current !== version) {
          drop()
          version = current
        }
      }
      return cache.get(keyHash)
    },
    /** A mark to take before reading a key, for `remember`. */
    mark: () => ({ generation, elsewhere: changedElsewhere() }),
    remember (keyHash: string, actor: Actor, mark: { generation: number, elsewhere: number }): void {
      if (generation !== mark.generation || changedElsewhere() !== mark.elsewhere) return
      if (cache.size >= CACHE_LIMIT) cache.clear()
      cache.set(keyHash, actor)
    }
  }
}

export type KeyCache = ReturnType<typeof createKeyCache>

export interface ApiKeysDeps {
  transaction: Transact
  apiKeys: Repository<ApiKeysRepository>
  ledger: Pick<Ledger, 'append'>
  cache: KeyCache
  /** Runs `fn` once the transaction this service writes in has committed. */
  afterCommit: (fn: () => void) => void
}

export function createApiKeysService ({ transaction, apiKeys, ledger, cache, afterCommit }: ApiKeysDeps) {
  async function insert (ctx: WriteContext, input: ApiKeyCreate, key: string) {
    const row: ApiKeyRow = { id: newId(), name: input.name, role: input.role, keyHash: hashKey(key), createdAt: new Date().toISOString(), revokedAt: null }
    await apiKeys.insert(row)
    await ledger.append(ctx, [{
      action: 'apikey.created',
      entityType: 'apikey',
      entityId: row.id,
      changes: { name: { from: null, to: row.name }, role: { from: null, to: row.role } }
    }], row.createdAt)
    return { id: row.id, name: row.name, role: row.role, key, createdAt: row.createdAt }
  }

  return {
    async create (ctx: WriteContext, input: ApiKeyCreate) {
      // The route's schema refuses it too; this covers every other caller (the CLI).
      if (isReservedName(input.name)) throw new Invalid(`name ${RESERVED_NAME}`, [{ path: '/name', message: RESERVED_NAME }])
      return await transaction(async () => await insert(ctx, input, generateKey()))
    },

    /** The active key's holder, or undefined for an unknown or revoked key. */
    /** The holder of a key this process has seen lately and that is still active, from memory; else undefined (ask `authenticate`). */
    known: (key: string): Actor | undefined => cache.get(hashKey(key)),

    async authenticate (key: string): Promise<Actor | undefined> {
      const keyHash = hashKey(key)
      const known = cache.get(keyHash)
      if (known !== undefined) return known
      const mark = cache.mark()
      const row = await apiKeys.byHash(keyHash)
      if (row === undefined || row.revokedAt !== null) return undefined
      const actor: Actor = Object.freeze({ id: row.id, name: row.name, role: row.role })
      cache.remember(keyHash, actor, mark)
      return actor
    },

    async get (id: string): Promise<ApiKey | undefined> {
      const row = await apiKeys.get(id)
      return row === undefined ? undefined : toApiKey(row)
    },

    list: async (limit: number, afterId?: string): Promise<ApiKey[]> => (await apiKeys.list(limit, afterId)).map(toApiKey),

    /**
     * Revokes a key. Revoking a revoked key changes nothing (DELETE is idempotent); the
     * last active admin key cannot be revoked, since nobody could then manage keys.
     */
    async revoke (ctx: WriteContext, id: string): Promise<void> {
      await transaction(async () => {
        const row = await apiKeys.get(id)
        if (row === undefined) throw new NotFound(`API key ${id} does not exist`)
        if (row.revokedAt !== null) return
        if (row.role === 'admin' && await apiKeys.activeAdmins() <= 1) {
          throw new Conflict('This is the last active admin key: create another admin key before revoking it')
        }
        const at = new Date().toISOString()
        await apiKeys.revoke(id, at)
        cache.drop()
        // Again once committed: a key read before the commit (the old row) may have been cached since.
        afterCommit(cache.drop)
        await ledger.append(ctx, [{ action: 'apikey.revoked', entityType: 'apikey', entityId: id, changes: { revokedAt: { from: null, to: at } } }], at)
      })
    },

    /**
     * Start-up bootstrap. With `adminKey` (ADMIN_API_KEY), makes sure an admin key with
     * exactly that value exists. Without it, creates an admin key only when there is no
     * key at all, and returns it so the caller can print it once.
     */
    async bootstrap (ctx: WriteContext, adminKey: string | undefined): Promise<{ created?: string, revoked?: boolean }> {
      return await transaction(async () => {
        if (adminKey !== undefined) {
          const row = await apiKeys.byHash(hashKey(adminKey))
          if (row === undefined) await insert(ctx, { name: 'admin (ADMIN_API_KEY)', role: 'admin' }, adminKey)
          return { revoked: row?.revokedAt != null }
        }
        if (await apiKeys.any()) return {}
        return { created: (await insert(ctx, { name: 'admin (first start)', role: 'admin' }, generateKey())).key }
      })
    }
  }
}

export type ApiKeysService = ReturnType<typeof createApiKeysService>
