/**
 * Optimistic concurrency: every mutable record has a `version`, and a write may name the
 * versions it was based on (HTTP's If-Match, a bulk item's expectedVersion). The comparison
 * happens inside the write's transaction, so two writers based on one version cannot both win.
 */
import { Stale } from './errors.js'

/**
 * The versions a write accepts; undefined: any (last write wins). An empty list accepts
 * nothing (a malformed or weak If-Match tag never matches).
 */
export type VersionCondition = readonly number[] | undefined

/** Throws Stale unless the condition is absent or accepts the current version. */
export function assertVersion (entity: string, accepted: VersionCondition, current: number): void {
  if (accepted !== undefined && !accepted.includes(current)) {
    throw new Stale(`${entity} is at version ${current}, not ${accepted.join(' or ') || 'the one given'}: reload it and retry`, current)
  }
}
