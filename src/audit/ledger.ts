/**
 * The tamper-evident history. Every store write calls `append` inside its own transaction,
 * so a change and its events commit or roll back together. Each event is chained to the
 * previous one: hash = sha256(prevHash + JCS(event without hash)), RFC 8785 canonical JSON,
 * so anyone holding the feed can re-verify it without our code.
 */
import { createHash } from 'node:crypto'
import canonicalizeModule from 'canonicalize'
import { and, asc, eq, gt, lte, notInArray, sql, type SQL } from 'drizzle-orm'
import type { Database_ } from '../db/open.js'
import { auditEvents } from '../db/schema.js'
import { SYSTEM_PREFIX, type Actor, type Role } from '../auth/roles.js'

/** Who is writing and under which request: every store write takes one. */
export interface WriteContext { actor: Actor, requestId: string }

export type Changes = Record<string, { from: unknown, to: unknown }>

export interface AuditEntry {
  action: string
  entityType: string
  entityId: string
  changes: Changes
}

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

// The package is CommonJS whose typings declare an ES default export; under NodeNext the
// default import is the function itself at run time, so only the type needs telling.
const canonicalize = canonicalizeModule as unknown as (value: unknown) => string | undefined

export const GENESIS_HASH = '0'.repeat(64)

export function canonicalJson (value: unknown): string {
  const text = canonicalize(value)
  if (text === undefined) throw new TypeError('value cannot be canonicalised')
  return text
}

export function hashEvent (event: Omit<AuditEvent, 'hash'>): string {
  return hashCanonical(event.prevHash, canonicalJson(event))
}

const hashCanonical = (prevHash: string, canonical: string) => createHash('sha256').update(prevHash + canonical).digest('hex')

/**
 * canonicalJson(event) for an event whose `changes` are already canonical JSON: the keys in
 * RFC 8785 order written out, strings and integers serialised as JCS does (JSON.stringify).
 * Every write needs both the changes' JSON (stored) and the event's (hashed); this spares
 * canonicalising the changes twice, which was 4% of a write (bench: --cpu-prof). `verify`
 * still rehashes with the general canonicaliser, and a test holds the two equal.
 */
export function canonicalEvent (event: Omit<AuditEvent, 'hash' | 'changes'>, changesJson: string): string {
  const s = JSON.stringify
  const { actor } = event
  return `{"action":${s(event.action)},"actor":{"id":${s(actor.id)},"name":${s(actor.name)},"role":${s(actor.role)}},` +
    `"at":${s(event.at)},"changes":${changesJson},"entityId":${s(event.entityId)},"entityType":${s(event.entityType)},` +
    `"prevHash":${s(event.prevHash)},"requestId":${s(event.requestId)},"seq":${s(event.seq)}}`
}

/** Field-by-field creation snapshot: every field goes from null to its value. */
export function snapshot (entity: Record<string, unknown>): Changes {
  const changes: Changes = {}
  for (const [field, to] of Object.entries(entity)) changes[field] = { from: null, to }
  return changes
}

/** Field-by-field removal: every field goes from its value to null. */
export function removal (entity: Record<string, unknown>): Changes {
  const changes: Changes = {}
  for (const [field, from] of Object.entries(entity)) changes[field] = { from, to: null }
  return changes
}

/** The fields of `patch` whose value differs from `before`, as from/to pairs. */
export function diff<T extends Record<string, unknown>> (before: T, patch: Partial<T>): Changes {
  const changes: Changes = {}
  for (const [field, to] of Object.entries(patch)) {
    if (to === undefined) continue
    const from = before[field] ?? null
    if (canonicalJson(from) !== canonicalJson(to)) changes[field] = { from, to }
  }
  return changes
}

/** `before` with the fields a PATCH body sent; absent (undefined) fields stay as they were. */
export function applyPatch<T extends object> (before: T, patch: Partial<T>): T {
  const sent = Object.entries(patch).filter(([, v]) => v !== undefined)
  return { ...before, ...Object.fromEntries(sent) }
}

type Row = typeof auditEvents.$inferSelect

function toEvent (row: Row): AuditEvent {
  return {
    seq: row.seq,
    at: row.at,
    actor: { id: row.actorId, name: row.actorName, role: row.actorRole as Role },
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    changes: JSON.parse(row.changes) as Changes,
    requestId: row.requestId,
    prevHash: row.prevHash,
    hash: row.hash
  }
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

export type VerifyResult =
  | { ok: true, events: number, head: { seq: number, hash: string } | null }
  | { ok: false, events: number, firstBadSeq: number }

export function createLedger ({ db, sqlite }: Database_) {
  const headStatement = sqlite.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')
  // Every write appends through this one prepared statement.
  const insertEvent = db.insert(auditEvents).values({
    seq: sql.placeholder('seq'),
    at: sql.placeholder('at'),
    actorId: sql.placeholder('actorId'),
    actorName: sql.placeholder('actorName'),
    actorRole: sql.placeholder('actorRole'),
    action: sql.placeholder('action'),
    entityType: sql.placeholder('entityType'),
    entityId: sql.placeholder('entityId'),
    changes: sql.placeholder('changes'),
    requestId: sql.placeholder('requestId'),
    prevHash: sql.placeholder('prevHash'),
    hash: sql.placeholder('hash')
  }).prepare()

  return {
    /**
     * Throws unless a write transaction is open: for code that writes before it appends
     * (a review, say), so that a call outside one fails before it writes anything.
     */
    assertInTransaction (what: string): void {
      if (!sqlite.inTransaction) throw new Error(`${what} must run inside the write transaction`)
    },

    /**
     * Appends events in the caller's transaction and returns them. Throws outside one:
     * an event written on its own could outlive the change it describes, or vice versa.
     */
    append (ctx: WriteContext, entries: AuditEntry[], at = new Date().toISOString()): AuditEvent[] {
      if (!sqlite.inTransaction) throw new Error('ledger.append must run inside the write transaction')
      let head = headStatement.get() as { seq: number, hash: string } | undefined
      const written: AuditEvent[] = []
      for (const entry of entries) {
        const unsigned = {
          seq: (head?.seq ?? 0) + 1,
          at,
          actor: { id: ctx.actor.id, name: ctx.actor.name, role: ctx.actor.role },
          ...entry,
          requestId: ctx.requestId,
          prevHash: head?.hash ?? GENESIS_HASH
        }
        const changes = canonicalJson(entry.changes)
        const event = { ...unsigned, hash: hashCanonical(unsigned.prevHash, canonicalEvent(unsigned, changes)) }
        insertEvent.run({
          seq: event.seq,
          at: event.at,
          actorId: event.actor.id,
          actorName: event.actor.name,
          actorRole: event.actor.role,
          action: event.action,
          entityType: event.entityType,
          entityId: event.entityId,
          changes,
          requestId: event.requestId,
          prevHash: event.prevHash,
          hash: event.hash
        })
        written.push(event)
        head = { seq: event.seq, hash: event.hash }
      }
      return written
    },

    /** The change feed, ascending seq after `after`; `limit + 1` rows tell if more exist. */
    list (filter: AuditFilter): AuditEvent[] {
      const where: SQL[] = []
      if (filter.after !== undefined) where.push(gt(auditEvents.seq, filter.after))
      if (filter.entityType !== undefined) where.push(eq(auditEvents.entityType, filter.entityType))
      if (filter.entityId !== undefined) where.push(eq(auditEvents.entityId, filter.entityId))
      if (filter.actor !== undefined) where.push(eq(auditEvents.actorId, filter.actor))
      if (filter.action !== undefined) where.push(eq(auditEvents.action, filter.action))
      if (filter.until !== undefined) where.push(lte(auditEvents.at, filter.until))
      if (filter.excludeEntityTypes !== undefined) where.push(notInArray(auditEvents.entityType, filter.excludeEntityTypes))
      return db.select().from(auditEvents).where(and(...where))
        .orderBy(asc(auditEvents.seq)).limit(filter.limit).all().map(toEvent)
    },

    /** The newest event's seq (0 for an empty log). */
    headSeq (): number {
      return (headStatement.get() as { seq: number } | undefined)?.seq ?? 0
    },

    /** Walks the whole chain (see verifyChain). */
    verify: () => verifyChain(sqlite)
  }
}

export type Ledger = ReturnType<typeof createLedger>

/**
 * Walks the whole chain in constant memory: seq must run 1, 2, 3… and every event's prevHash
 * and recomputed hash must match. Reports the first event that does not. Needs only a raw
 * handle, so a backup can be checked without opening (and migrating) it.
 */
export function verifyChain (sqlite: Database_['sqlite']): VerifyResult {
  // Columns aliased to the drizzle row's field names.
  const everyEvent = sqlite.prepare(`SELECT seq, at, actor_id AS actorId, actor_name AS actorName, actor_role AS actorRole,
    action, entity_type AS entityType, entity_id AS entityId, changes, request_id AS requestId,
    prev_hash AS prevHash, hash FROM audit_events ORDER BY seq`)
  let expectedPrev = GENESIS_HASH
  let count = 0
  let last: { seq: number, hash: string } | null = null
  for (const row of everyEvent.iterate() as Iterable<Row>) {
    const event = toEvent(row)
    const { hash, ...unsigned } = event
    if (event.seq !== count + 1 || event.prevHash !== expectedPrev || hashEvent(unsigned) !== hash) {
      return { ok: false, events: count, firstBadSeq: count + 1 }
    }
    count++
    expectedPrev = hash
    last = { seq: event.seq, hash }
  }
  return { ok: true, events: count, head: last }
}

/**
 * The context for writes that no API key makes (seeding, start-up bootstrap, the CLI):
 * the audit log names them as system actors, each run under its own request id. Their names
 * carry the prefix too, and no key name may (see auth/roles.ts), so neither can pass for the other.
 */
export function systemContext (name: string, requestId: string): WriteContext {
  const actor = SYSTEM_PREFIX + name
  return { actor: { id: actor, name: actor, role: 'admin' }, requestId }
}
