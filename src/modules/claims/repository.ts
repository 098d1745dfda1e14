/**
 * What the claims service needs of storage: rows in, rows out, no rules. One implementation
 * per engine (sqlite.ts today); the rules — existence, duplicates, versions, the history —
 * live once in service.ts.
 */
import type { Claim } from './schemas.js'

/** A claim's row whatever its state; `deleted` carries what a 410 says, null while it is live. */
export interface FoundClaim {
  claim: Claim
  deleted: { deletedAt: string | null, deletedBy: { id: string, name: string } | null, deleteReason: string | null } | null
}

/** The fields an edit may change, with the claim's new text key, time and version. */
export type ClaimEdit = Pick<Claim, 'text' | 'quote' | 'speakerId' | 'sourceId' | 'claimedAt' | 'context' | 'topics' | 'language' | 'status'> &
{ textKey: string, updatedAt: string, version: number }

export interface ClaimsRepository {
  /** undefined when no claim has this id (malformed ids included). */
  find: (id: string) => FoundClaim | undefined
  /** A live claim with this speaker, date and folded text, other than `selfId`. */
  duplicateOf: (speakerId: string, claimedAt: string, textKey: string, selfId?: string) => string | undefined
  insert: (claim: Claim, textKey: string) => void
  update: (id: string, edit: ClaimEdit) => void
  /** Replaces the claim's topics (`replace` false: a new claim has none to remove). */
  setTopics: (id: string, topics: string[], replace: boolean) => void
  /** A review's effect: status, review count and time, version. */
  markReviewed: (after: Claim) => void
  /** A change recorded beside the claim (an appearance): its time and version only. */
  touch: (id: string, updatedAt: string, version: number) => void
  softDelete: (id: string, deletion: { at: string, by: { id: string, name: string }, reason: string | null, version: number }) => void
}
