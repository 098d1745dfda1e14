/**
 * The tamper-evident history. Every store write calls `append` inside its own transaction,
 * so a change and its events commit or roll back together. Each event is chained to the
 * previous one: hash = sha256(prevHash + JCS(event without hash)), RFC 8785 canonical JSON,
 * so anyone holding the feed can re-verify it without our code.
 */
import { createHash } from 'node:crypto'
import canonicalizeModule from 'canonicalize'
import type { WriteContext } from '../../core/context.js'
import type { Repository } from '../../db/engine.js'
import type { AuditEvent, AuditFilter, AuditRepository, Changes } from './repository.js'

export type { AuditEvent, AuditFilter, Changes } from './repository.js'

export interface AuditEntry {
  action: string
  entityType: string
  entityId: string
  changes: Changes
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

export type VerifyResult =
  | { ok: true, events: number, head: { seq: number, hash: string } | null }
  | { ok: false, events: number, firstBadSeq: number }

export interface LedgerDeps {
  /** `all` may stream asynchronously (a PostgreSQL cursor) or not (SQLite). */
  audit: Omit<Repository<AuditRepository>, 'all'> & { all: () => Iterable<AuditEvent> | AsyncIterable<AuditEvent> }
  /** Whether the calling code runs inside a write transaction (the engine's). */
  inTransaction: () => boolean
}

export function createLedger ({ audit, inTransaction }: LedgerDeps) {
  return {
    /**
     * Throws unless a write transaction is open: for code that writes before it appends
     * (a review, say), so that a call outside one fails before it writes anything.
     */
    assertInTransaction (what: string): void {
      if (!inTransaction()) throw new Error(`${what} must run inside the write transaction`)
    },

    /**
     * Appends events in the caller's transaction and returns them. Throws outside one:
     * an event written on its own could outlive the change it describes, or vice versa.
     */
    async append (ctx: WriteContext, entries: AuditEntry[], at = new Date().toISOString()): Promise<AuditEvent[]> {
      if (!inTransaction()) throw new Error('ledger.append must run inside the write transaction')
      let head = await audit.head()
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
        await audit.insert(event, changes)
        written.push(event)
        head = { seq: event.seq, hash: event.hash }
      }
      return written
    },

    /** The change feed, ascending seq after `after`; `limit + 1` rows tell if more exist. */
    list: async (filter: AuditFilter): Promise<AuditEvent[]> => await audit.list(filter),

    /** The newest event's seq (0 for an empty log). */
    headSeq: async (): Promise<number> => (await audit.head())?.seq ?? 0,

    /** Walks the whole chain (see verifyEvents). */
    verify: async () => await verifyEventsAsync(audit.all())
  }
}

export type Ledger = ReturnType<typeof createLedger>

/**
 * Walks a whole chain, in order, in constant memory: seq must run 1, 2, 3… and every event's
 * prevHash and recomputed hash must match. Reports the first event that does not. Takes the
 * events as an iterable, so a backup can be checked straight from its file (audit/sqlite.ts).
 */
export function verifyEvents (events: Iterable<AuditEvent>): VerifyResult {
  const chain = chainCheck()
  for (const event of events) if (!chain.next(event)) break
  return chain.result()
}

/** verifyEvents over events that arrive asynchronously (a PostgreSQL cursor, in batches). */
export async function verifyEventsAsync (events: AsyncIterable<AuditEvent> | Iterable<AuditEvent>): Promise<VerifyResult> {
  const chain = chainCheck()
  for await (const event of events) if (!chain.next(event)) break
  return chain.result()
}

/** The chain's rule, one event at a time: `next` is false at the first event that breaks it. */
function chainCheck () {
  let expectedPrev = GENESIS_HASH
  let count = 0
  let last: { seq: number, hash: string } | null = null
  let bad = false
  return {
    next (event: AuditEvent): boolean {
      const { hash, ...unsigned } = event
      if (event.seq !== count + 1 || event.prevHash !== expectedPrev || hashEvent(unsigned) !== hash) {
        bad = true
        return false
      }
      count++
      expectedPrev = hash
      last = { seq: event.seq, hash }
      return true
    },
    result: (): VerifyResult => bad ? { ok: false, events: count, firstBadSeq: count + 1 } : { ok: true, events: count, head: last }
  }
}
