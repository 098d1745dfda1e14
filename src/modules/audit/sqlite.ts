/** The audit repository on SQLite: the only SQL for the audit_events table. */
import type Database from 'better-sqlite3'
import { and, asc, eq, gt, lte, notInArray, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/open.js'
import { auditEvents } from '../../db/schema.js'
import { toEvent, type AuditEvent, type AuditRepository } from './repository.js'

type Row = typeof auditEvents.$inferSelect

/**
 * Every event of a database file, ascending seq, one row at a time. Needs only a raw handle,
 * so a backup can be checked without opening (and migrating) it.
 */
export function * eventsOf (sqlite: Database.Database): Generator<AuditEvent> {
  // Columns aliased to the drizzle row's field names.
  const everyEvent = sqlite.prepare(`SELECT seq, at, actor_id AS actorId, actor_name AS actorName, actor_role AS actorRole,
    action, entity_type AS entityType, entity_id AS entityId, changes, request_id AS requestId,
    prev_hash AS prevHash, hash FROM audit_events ORDER BY seq`)
  for (const row of everyEvent.iterate() as Iterable<Row>) yield toEvent(row)
}

export function createSqliteAuditRepository (db: Db): AuditRepository {
  const headStatement = db.$client.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')
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
    head: () => headStatement.get() as { seq: number, hash: string } | undefined,
    insert: (event, changes) => {
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
    },
    list: (filter) => {
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
    all: () => eventsOf(db.$client)
  }
}
