import { z } from 'zod'
import { documentExample } from '../../http/examples.js'
import { cursorParam, limitParam } from '../../http/pagination.js'
import { pageOf, timestamp, wellFormedString } from '../../http/schemas.js'
import { ROLES } from '../../core/context.js'
import { historyExample, verificationExample } from './examples.js'

export const auditEvent = z.object({
  seq: z.number().int().describe('Strictly increasing, no gaps'),
  at: timestamp,
  actor: z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES) }),
  action: z.string().describe('e.g. claim.created, claim.updated, claim.deleted, claim.reviewed, speaker.created, apikey.revoked'),
  entityType: z.string(),
  entityId: z.string(),
  changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() }))
    .describe('{ field: { from, to } }; creations give every field with from: null'),
  requestId: z.string(),
  prevHash: z.string().describe('hash of the previous event; 64 zeros for the first'),
  hash: z.string().describe('hex sha256(prevHash + RFC 8785 canonical JSON of this event without `hash`)')
}).meta({ id: 'AuditEvent', description: 'One entry of the append-only, hash-chained history.' })

/** Entity types whose events only admins read in full: API keys are admin-only. */
export const ADMIN_ONLY_ENTITIES = ['apikey']

export const redactedAuditEvent = auditEvent.pick({ seq: true, at: true, action: true, entityType: true, prevHash: true, hash: true })
  .extend({ redacted: z.literal(true).describe('actor, entityId, changes and requestId are withheld from this caller') })
  .meta({
    id: 'RedactedAuditEvent',
    description: 'An event about an API key, as non-admins see it. It keeps its place in the feed and its hashes, ' +
      'so the chain\'s links (each prevHash equals the previous hash) still check out, but it cannot be rehashed.'
  })

export const auditPage = pageOf(z.union([auditEvent, redactedAuditEvent]), 'AuditEventPage', historyExample)

const seq = z.coerce.number().int().min(0)

export const auditQuery = z.strictObject({
  after: seq.optional().describe('Only events with seq greater than this (a change-feed position)'),
  entityType: wellFormedString().trim().min(1).max(50).optional(),
  entityId: wellFormedString().trim().min(1).max(100).optional(),
  actor: wellFormedString().trim().min(1).max(100).optional().describe('API key id of the actor'),
  action: wellFormedString().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('1..1000, default 100'),
  cursor: cursorParam
})

export const historyQuery = z.strictObject({ limit: limitParam, cursor: cursorParam })

export const verifyResult = z.union([
  z.object({ ok: z.literal(true), events: z.number().int(), head: z.object({ seq: z.number().int(), hash: z.string() }).nullable() }),
  z.object({ ok: z.literal(false), events: z.number().int().describe('Events verified before the first bad one'), firstBadSeq: z.number().int() })
]).meta({ id: 'AuditVerification' })
documentExample(verifyResult, verificationExample)
