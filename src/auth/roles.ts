/** Roles, least to most: each may do everything the one before it may. */
export const ROLES = ['viewer', 'reviewer', 'editor', 'admin'] as const
export type Role = typeof ROLES[number]

/** Who acts: an API key's holder, or a system actor (seed, bootstrap, CLI). */
export interface Actor { id: string, name: string, role: Role }

export function mayAct (actor: Role, needed: Role): boolean {
  return ROLES.indexOf(actor) >= ROLES.indexOf(needed)
}

/**
 * The prefix of system actors' ids and names in the audit log (seed, bootstrap, CLI). No API
 * key name may start with it (in any case), so a key cannot pass its writes off as theirs.
 */
export const SYSTEM_PREFIX = 'system:'
export const RESERVED_NAME = `must not start with "${SYSTEM_PREFIX}": that is reserved for system actors (seed, bootstrap, CLI)`
export const isReservedName = (name: string) => name.trim().toLowerCase().startsWith(SYSTEM_PREFIX)
