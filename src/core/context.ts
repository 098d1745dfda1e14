/**
 * Who acts, and under which request: the roles, the actor every write names, and the system
 * actors (seed, bootstrap, CLI) that no API key may pass for.
 */

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

/** Who is writing and under which request: every write takes one, and its audit events name both. */
export interface WriteContext { actor: Actor, requestId: string }

/**
 * The context for writes that no API key makes (seeding, start-up bootstrap, the CLI):
 * the audit log names them as system actors, each run under its own request id. Their names
 * carry the prefix too, and no key name may (see isReservedName), so neither can pass for the other.
 */
export function systemContext (name: string, requestId: string): WriteContext {
  const actor = SYSTEM_PREFIX + name
  return { actor: { id: actor, name: actor, role: 'admin' }, requestId }
}
