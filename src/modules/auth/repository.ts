/** What the API keys service needs of storage (sqlite.ts today). Keys are stored only as SHA-256 hashes. */
import type { Role } from '../../core/context.js'

export interface ApiKeyRow {
  id: string
  name: string
  role: Role
  keyHash: string
  createdAt: string
  revokedAt: string | null
}

export interface ApiKeysRepository {
  byHash: (keyHash: string) => ApiKeyRow | undefined
  /** undefined when no key has this id (malformed ids included). */
  get: (id: string) => ApiKeyRow | undefined
  /** Oldest first, after an id. */
  list: (limit: number, afterId?: string) => ApiKeyRow[]
  insert: (row: ApiKeyRow) => void
  revoke: (id: string, at: string) => void
  activeAdmins: () => number
  /** Whether any key, active or revoked, exists. */
  any: () => boolean
}
