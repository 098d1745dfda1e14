/** Roles, least to most: each may do everything the one before it may. */
export const ROLES = ['viewer', 'reviewer', 'editor', 'admin'] as const
export type Role = typeof ROLES[number]

/** Who acts: an API key's holder, or a system actor (seed, bootstrap, CLI). */
export interface Actor { id: string, name: string, role: Role }

export function mayAct (actor: Role, needed: Role): boolean {
  return ROLES.indexOf(actor) >= ROLES.indexOf(needed)
}
