/**
 * Examples for the audit log: the history of the seeded claim the other examples review, with
 * real hashes (each computed from its event as the ledger does; the chain before it is elided).
 */
import { DESK } from '../auth/examples.js'
import { capturedGround } from '../claims/examples.js'
import { review } from '../reviews/examples.js'
import { hashEvent, snapshot, type AuditEvent } from './ledger.js'

const seed = 'seed mail-online-2020-10-21.json'

function chained (event: Omit<AuditEvent, 'hash'>): AuditEvent {
  return { ...event, hash: hashEvent(event) }
}

const { text, quote, speakerId, sourceId, claimedAt, context, topics, language, status } = capturedGround

const created = chained({
  seq: 20,
  at: capturedGround.createdAt,
  actor: { id: `system:${seed}`, name: seed, role: 'admin' },
  action: 'claim.created',
  entityType: 'claim',
  entityId: capturedGround.id,
  changes: snapshot({ text, quote, speakerId, sourceId, claimedAt, context, topics, language, status }),
  requestId: '01754a7e-69c0-7519-a774-1b0063f03641',
  prevHash: '5f0c3be2a4d1e8c79b6a20f4d3e1c8b7a6f5e4d3c2b1a09f8e7d6c5b4a392817'
})

const reviewed = chained({
  seq: 47,
  at: review.createdAt,
  actor: DESK,
  action: 'claim.reviewed',
  entityType: 'claim',
  entityId: capturedGround.id,
  changes: {
    status: { from: 'unverified', to: review.verdict },
    review: { from: null, to: { id: review.id, verdict: review.verdict, note: review.note, evidence: review.evidence } }
  },
  requestId: 'dd693bc5-cfcd-44e4-b618-c4ee68753f2e',
  prevHash: 'a3c9e1f07b5d2846c1e9f3a7b05d8c2e6f4a1b3d5c7e9f0a2b4c6d8e0f1a3b5c'
})

export const historyExample = { items: [created, reviewed], nextCursor: null }

export const verificationExample = { ok: true as const, events: reviewed.seq, head: { seq: reviewed.seq, hash: reviewed.hash } }
