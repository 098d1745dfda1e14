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
/** How often the key cache looks for commits by other processes (see below). */
export const RECHECK_MS = 1000

export interface ApiKeysDeps {
  transaction: Transact
  apiKeys: Repository<ApiKeysRepository>
  ledger: Pick<Ledger, 'append'>
  /**
   * A number that changes when another process may have changed the keys (SQLite's
   * `data_version`: another connection committed), never for this process's own writes.
   */
  changedElsewhere: () => number
}

export function createApiKeysService ({ transaction, apiKeys, ledger, changedElsewhere }: ApiKeysDeps) {
  // Every request authenticates, and keys change rarely: active keys are remembered by hash.
  // The cache is dropped when this service revokes a key, and when another process may
  // have changed them (`changedElsewhere`), since that may be `claimledger keys revoke`
  // beside the server. Reading data_version was itself 4% of a GET, so it is read at most
  // every RECHECK_MS: a key revoked by another process stops working within that time.
  // Unknown keys are never remembered, so guessing cannot fill the cache.
  // A key read while the cache was dropped (a revocation committing meanwhile, here or
  // elsewhere) is not remembered: `generation` counts the drops.
  const cache = new Map<string, Actor>()
  let generation = 0
  const drop = () => {
    cache.clear()
    generation++
  }
  let version = changedElsewhere()
  // performance.now(): a wall clock stepped backwards would postpone the recheck.
  let checkedAt = performance.now()
  function cached (keyHash: string): Actor | undefined {
    const now = performance.now()
    if (now - checkedAt >= RECHECK_MS) {
      checkedAt = now
      const current = changedElsewhere()
      if (current !== version) {
        drop()
        version = current
      }
    }
    return cache.get(keyHash)
  }

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
    async authenticate (key: string): Promise<Actor | undefined> {
      const keyHash = hashKey(key)
      const known = cached(keyHash)
      if (known !== undefined) return known
      const seen = { generation, elsewhere: changedElsewhere() }
      const row = await apiKeys.byHash(keyHash)
      if (row === undefined || row.revokedAt !== null) return undefined
      const actor: Actor = Object.freeze({ id: row.id, name: row.name, role: row.role })
      if (generation === seen.generation && changedElsewhere() === seen.elsewhere) {
        if (cache.size >= CACHE_LIMIT) cache.clear()
        cache.set(keyHash, actor)
      }
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
        drop()
        await ledger.append(ctx, [{ action: 'apikey.revoked', entityType: 'apikey', entityId: id, changes: { revokedAt: { from: null, to: at } } }], at)
      })
      // Again once committed: a key read before the commit (the old row) may have been cached since.
      drop()
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
