/**
 * A claim as it stood at a past moment, rebuilt from its audit history alone: the events
 * are the record, so what they say is what the claim was. Every change of a claim bumps
 * its version and appends exactly one event, so the version is the count of its events.
 */
import type { AuditEvent, Ledger } from '../audit/ledger.js'
import { Gone, NotFound } from '../../core/errors.js'
import type { Claim } from './schemas.js'

const ALL = 1_000_000

function replay (events: AuditEvent[]): Record<string, unknown> {
  const state: Record<string, unknown> = {}
  for (const event of events) {
    for (const [field, change] of Object.entries(event.changes)) state[field] = change.to
  }
  return state
}

/** The value of `field` of another entity (a speaker's name, a source's title) at `time`. */
async function fieldAt (ledger: Pick<Ledger, 'list'>, entityType: string, entityId: string, time: string, field: string): Promise<unknown> {
  return replay(await ledger.list({ entityType, entityId, until: time, limit: ALL }))[field] ?? null
}

export async function claimAsOf (ledger: Pick<Ledger, 'list'>, id: string, time: string): Promise<Claim> {
  const events = await ledger.list({ entityType: 'claim', entityId: id, until: time, limit: ALL })
  const created = events[0]
  if (created === undefined) throw new NotFound(`Claim ${id} did not exist at ${time}`)
  const last = events[events.length - 1] as AuditEvent
  if (last.action === 'claim.deleted') {
    throw new Gone(`Claim ${id} had been deleted at ${time} (deleted at ${last.at} by ${last.actor.name})`,
      { deletedAt: last.at, deletedBy: { id: last.actor.id, name: last.actor.name }, reason: last.changes.reason?.to ?? null })
  }
  const state = replay(events)
  const reviews = events.filter((e) => e.action === 'claim.reviewed')
  const speakerId = state.speakerId as string
  const sourceId = state.sourceId as string
  return {
    id,
    text: state.text as string,
    quote: state.quote as string | null,
    speakerId,
    speaker: { id: speakerId, name: await fieldAt(ledger, 'speaker', speakerId, time, 'name') as string },
    sourceId,
    source: {
      id: sourceId,
      title: await fieldAt(ledger, 'source', sourceId, time, 'title') as string,
      url: await fieldAt(ledger, 'source', sourceId, time, 'url') as string | null
    },
    claimedAt: state.claimedAt as string,
    context: state.context as string | null,
    topics: state.topics as string[],
    language: state.language as string,
    status: state.status as Claim['status'],
    reviewCount: reviews.length,
    lastReviewedAt: reviews.at(-1)?.at ?? null,
    createdAt: created.at,
    updatedAt: last.at,
    version: events.length
  }
}
