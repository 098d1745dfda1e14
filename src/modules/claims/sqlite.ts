/** The claims repository on SQLite: the only SQL for writing and reading one claim (lists: lists.ts). */
import { and, eq, isNull, ne, sql } from 'drizzle-orm'
import { isUuid } from '../../db/ids.js'
import type { Db } from '../../db/open.js'
import { claims, claimTopics } from '../../db/schema.js'
import type { ClaimsRepository } from './repository.js'
import { fromListedRow, listedColumns, prepareRaw, selectListedIn } from './rows.js'

export function createSqliteClaimsRepository (db: Db): ClaimsRepository {
  // Hot paths run prepared statements: building a drizzle query per call cost more than the
  // query itself (bench: --cpu-prof).
  // One claim as a list reads it (raw arrays: rows.ts), then its deletion fields.
  const byId = prepareRaw(db, selectListedIn(db, { deletedAt: claims.deletedAt, deletedBy: claims.deletedBy, deleteReason: claims.deleteReason })()
    .where(eq(claims.id, sql.placeholder('id'))).getSQL(), true)
  const deletion = Object.keys(listedColumns).length
  const duplicateOf = db.select({ id: claims.id }).from(claims).where(and(
    eq(claims.speakerId, sql.placeholder('speakerId')), eq(claims.claimedAt, sql.placeholder('claimedAt')),
    eq(claims.textKey, sql.placeholder('textKey')), isNull(claims.deletedAt), ne(claims.id, sql.placeholder('selfId'))
  )).prepare()
  // Compiling an UPDATE of claims (eight indexes, the FTS triggers) cost more than running it.
  const reviewed = db.update(claims).set({
    // (update().set() takes no bare placeholders; wrapped in sql`` they bind the same way)
    status: sql`${sql.placeholder('status')}`,
    reviewCount: sql`${sql.placeholder('reviewCount')}`,
    lastReviewedAt: sql`${sql.placeholder('lastReviewedAt')}`,
    updatedAt: sql`${sql.placeholder('updatedAt')}`,
    version: sql`${sql.placeholder('version')}`
  }).where(eq(claims.id, sql.placeholder('id'))).prepare()
  // Inserts are prepared too: imports and the bench's generator make them by the thousand.
  const insertClaim = db.insert(claims).values({
    id: sql.placeholder('id'),
    text: sql.placeholder('text'),
    textKey: sql.placeholder('textKey'),
    quote: sql.placeholder('quote'),
    speakerId: sql.placeholder('speakerId'),
    sourceId: sql.placeholder('sourceId'),
    claimedAt: sql.placeholder('claimedAt'),
    context: sql.placeholder('context'),
    topics: sql.placeholder('topics'),
    language: sql.placeholder('language'),
    status: sql.placeholder('status'),
    createdAt: sql.placeholder('createdAt'),
    updatedAt: sql.placeholder('updatedAt'),
    version: sql.placeholder('version')
  }).prepare()
  const deleteTopics = db.delete(claimTopics).where(eq(claimTopics.claimId, sql.placeholder('claimId'))).prepare()
  const insertTopic = db.insert(claimTopics).values({ claimId: sql.placeholder('claimId'), topic: sql.placeholder('topic') }).prepare()

  return {
    find: (id) => {
      if (!isUuid(id)) return undefined
      const row = byId.get({ id }) as unknown[] | undefined
      if (row === undefined) return undefined
      const [deletedAt, deletedBy, deleteReason] = row.slice(deletion) as [string | null, string | null, string | null]
      return {
        claim: fromListedRow(row),
        deleted: deletedAt === null ? null : { deletedAt, deletedBy: deletedBy === null ? null : JSON.parse(deletedBy) as { id: string, name: string }, deleteReason }
      }
    },
    duplicateOf: (speakerId, claimedAt, textKey, selfId) => duplicateOf.get({ speakerId, claimedAt, textKey, selfId: selfId ?? '' })?.id,
    insert: (claim, textKey) => { insertClaim.run({ ...claim, textKey }) },
    touch: (id, updatedAt, version) => { db.update(claims).set({ updatedAt, version }).where(eq(claims.id, id)).run() },
    update: (id, edit) => { db.update(claims).set(edit).where(eq(claims.id, id)).run() },
    setTopics: (claimId, topics, replace) => {
      if (replace) deleteTopics.run({ claimId })
      for (const topic of topics) insertTopic.run({ claimId, topic })
    },
    markReviewed: (after) => {
      reviewed.run({ id: after.id, status: after.status, reviewCount: after.reviewCount, lastReviewedAt: after.lastReviewedAt, updatedAt: after.updatedAt, version: after.version })
    },
    softDelete: (id, { at, by, reason, version }) => {
      db.update(claims).set({ deletedAt: at, deletedBy: by, deleteReason: reason, updatedAt: at, version }).where(eq(claims.id, id)).run()
    }
  }
}
