/**
 * What the ledger needs of storage (sqlite.ts today): the chain's head, appends, and reads;
 * and the shape of an event as both sides see it.
 */
import type { Actor } from '../../core/context.js'

export type Changes = Record<string, { from: unknown, to: unknown }>

export interface AuditEvent {
  seq: number
  at: string
  actor: Actor
  action: string
  entityType: string
  entityId: string
  changes: Changes
  requestId: string
  prevHash: string
  hash: string
}

export interface AuditFilter {
  after?: number | undefined
  entityType?: string | undefined
  entityId?: string | undefined
  actor?: string | undefined
  action?: string | undefined
  /** Only events at or before this time (RFC 3339 UTC). */
  until?: string | undefined
  /** Leave out events about these entity types. */
  excludeEntityTypes?: string[] | undefined
  limit: number
}

/** An audit_events row as either engine returns it (changes: the stored canonical JSON). */
export interface AuditRow {
  seq: number
  at: string
  actorId: string
  actorName: string
  actorRole: string
  action: string
  entityType: string
  entityId: string
  changes: string
  requestId: string
  prevHash: string
  hash: string
}

export const toEvent = (row: AuditRow): AuditEvent => ({
  seq: row.seq,
  at: row.at,
  actor: { id: row.actorId, name: row.actorName, role: row.actorRole as Actor['role'] },
  action: row.action,
  entityType: row.entityType,
  entityId: row.entityId,
  changes: JSON.parse(row.changes) as Changes,
  requestId: row.requestId,
  prevHash: row.prevHash,
  hash: row.hash
})

export interface AuditRepository {
  /** The newest event's seq and hash; undefined for an empty log. */
  head: () => { seq: number, hash: string } | undefined
  /** Writes one event; `changesJson` is its changes as canonical JSON, the bytes the hash covers. */
  insert: (event: AuditEvent, changesJson: string) => void
  /** Ascending seq, filtered, at most `filter.limit` events. */
  list: (filter: AuditFilter) => AuditEvent[]
  /** Every event, ascending seq, read as it is iterated (the chain may be long). */
  all: () => Iterable<AuditEvent>
}
