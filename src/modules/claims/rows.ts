/** How a claim row is read: with its speaker's name and its source's title and URL. */
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/open.js'
import { claims, sources, speakers } from '../../db/schema.js'
import type { Claim } from './schemas.js'

const columns = {
  claim: claims,
  speakerName: speakers.name,
  sourceTitle: sources.title,
  sourceUrl: sources.url,
  /** Search pages pick claims by rowid (the FTS index's key). */
  rowid: sql<number>`${claims}.rowid`
}

export type Joined = { claim: typeof claims.$inferSelect, speakerName: string, sourceTitle: string, sourceUrl: string | null, rowid: number }

/** A claims row joined to its speaker's name and its source's title and URL, as either engine returns it. */
export interface JoinedClaim {
  claim: Omit<Claim, 'speaker' | 'source'>
  speakerName: string
  sourceTitle: string
  sourceUrl: string | null
}

export const toClaim = ({ claim: c, speakerName, sourceTitle, sourceUrl }: JoinedClaim): Claim => ({
  id: c.id,
  text: c.text,
  quote: c.quote,
  speakerId: c.speakerId,
  speaker: { id: c.speakerId, name: speakerName },
  sourceId: c.sourceId,
  source: { id: c.sourceId, title: sourceTitle, url: sourceUrl },
  claimedAt: c.claimedAt,
  context: c.context,
  topics: c.topics,
  language: c.language,
  status: c.status,
  reviewCount: c.reviewCount,
  lastReviewedAt: c.lastReviewedAt,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
  version: c.version
})

/** SELECT of claims joined to their speaker and source, as `toClaim` takes them. */
export function selectClaimsIn (db: Db) {
  return () => db.select(columns).from(claims)
    .innerJoin(speakers, eq(speakers.id, claims.speakerId))
    .innerJoin(sources, eq(sources.id, claims.sourceId))
}
