/** The audit repository on PostgreSQL: the same operations as sqlite.ts, in its SQL. */
import { and, asc, desc, eq, gt, lte, notInArray, type SQL } from 'drizzle-orm'
import type { Async } from '../../db/engine.js'
import type { PgQ } from '../../db/postgres/engine.js'
import { auditEvents } from '../../db/postgres/schema.js'
import { toEvent, type AuditEvent, type AuditRepository } from './repository.js'

/** Events read per round trip while walking the whole chain. */
const BATCH = 1000

/** As Async<AuditRepository>, except that the whole chain arrives as an async iterable, a batch at a time. */
export type AsyncAuditRepository = Omit<Async<AuditRepository>, 'all'> & { all: () => AsyncIterable<AuditEvent> }

export function createPostgresAuditRepository (q: PgQ): AsyncAuditRepository {
  return {
    // Read after the write lock (engine.ts), so this is the head every writer sees.
    head: async () => (await q.select({ seq: auditEvents.seq, hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1))[0],
    insert: async ({ actor, ...event }, changes) => {
      await q.insert(auditEvents).values({ ...event, actorId: actor.id, actorName: actor.name, actorRole: actor.role, changes })
    },
    list: async (filter) => {
      const where: SQL[] = []
      if (filter.after !== undefined) where.push(gt(auditEvents.seq, filter.after))
      if (filter.entityType !== undefined) where.push(eq(auditEvents.entityType, filter.entityType))
      if (filter.entityId !== undefined) where.push(eq(auditEvents.entityId, filter.entityId))
      if (filter.actor !== undefined) where.push(eq(auditEvents.actorId, filter.actor))
      if (filter.action !== undefined) where.push(eq(auditEvents.action, filter.action))
      if (filter.until !== undefined) where.push(lte(auditEvents.at, filter.until))
      if (filter.excludeEntityTypes !== undefined) where.push(notInArray(auditEvents.entityType, filter.excludeEntityTypes))
      return (await q.select().from(auditEvents).where(and(...where)).orderBy(asc(auditEvents.seq)).limit(filter.limit)).map(toEvent)
    },
    all: async function * () {
      for (let after = 0; ;) {
        const rows = await q.select().from(auditEvents).where(gt(auditEvents.seq, after)).orderBy(asc(auditEvents.seq)).limit(BATCH)
        for (const row of rows) yield toEvent(row)
        if (rows.length < BATCH) return
        after = rows[rows.length - 1]?.seq ?? after
      }
    }
  }
}
