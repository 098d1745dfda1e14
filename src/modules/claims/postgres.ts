/** The claims repository on PostgreSQL: the same operations as sqlite.ts, in its SQL. */
import { and, eq, isNull, ne, sql } from 'drizzle-orm'
import type { Async } from '../../db/engine.js'
import { isUuid } from '../../db/ids.js'
import type { PgQ } from '../../db/postgres/engine.js'
import { claims, claimTopics, sources, speakers } from '../../db/postgres/schema.js'
import type { ClaimsRepository } from './repository.js'
import { toClaim } from './rows.js'

const columns = { claim: claims, speakerName: speakers.name, sourceTitle: sources.title, sourceUrl: sources.url }

/** The repository over `q`: the pool for reads, or the write's transaction. */
export function createPostgresClaimsRepository (q: PgQ): Async<ClaimsRepository> {
  const selectClaims = () => q.select(columns).from(claims)
    .innerJoin(speakers, eq(speakers.id, claims.speakerId))
    .innerJoin(sources, eq(sources.id, claims.sourceId))
  // A claim by id is the hottest read: a named prepared statement, which each pooled connection
  // parses and plans once (built on first use: repositories are made per transaction too).
  let byId: ReturnType<typeof prepareById> | undefined
  const prepareById = () => selectClaims().where(eq(claims.id, sql.placeholder('id'))).prepare('claimledger_claim_by_id')
  return {
    find: async (id) => {
      if (!isUuid(id)) return undefined
      byId ??= prepareById()
      const [row] = await byId.execute({ id })
      if (row === undefined) return undefined
      const { deletedAt, deletedBy, deleteReason } = row.claim
      return { claim: toClaim(row), deleted: deletedAt === null ? null : { deletedAt, deletedBy, deleteReason } }
    },
    duplicateOf: async (speakerId, claimedAt, textKey, selfId) => {
      const [row] = await q.select({ id: claims.id }).from(claims).where(and(eq(claims.speakerId, speakerId), eq(claims.claimedAt, claimedAt),
        eq(claims.textKey, textKey), isNull(claims.deletedAt), selfId === undefined ? undefined : ne(claims.id, selfId))).limit(1)
      return row?.id
    },
    insert: async (claim, textKey) => {
      const { speaker: _speaker, source: _source, ...row } = claim
      await q.insert(claims).values({ ...row, textKey })
    },
    update: async (id, edit) => { await q.update(claims).set(edit).where(eq(claims.id, id)) },
    touch: async (id, updatedAt, version) => { await q.update(claims).set({ updatedAt, version }).where(eq(claims.id, id)) },
    setTopics: async (claimId, topics, replace) => {
      if (replace) await q.delete(claimTopics).where(eq(claimTopics.claimId, claimId))
      if (topics.length > 0) await q.insert(claimTopics).values(topics.map((topic) => ({ claimId, topic })))
    },
    markReviewed: async (after) => {
      await q.update(claims).set({ status: after.status, reviewCount: after.reviewCount, lastReviewedAt: after.lastReviewedAt, updatedAt: after.updatedAt, version: after.version })
        .where(eq(claims.id, after.id))
    },
    softDelete: async (id, { at, by, reason, version }) => {
      await q.update(claims).set({ deletedAt: at, deletedBy: by, deleteReason: reason, updatedAt: at, version }).where(eq(claims.id, id))
    }
  }
}
