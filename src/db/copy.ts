/**
 * Copies a whole SQLite database into an empty PostgreSQL one, row for row: the same ids,
 * keys, reviews, idempotency records and audit events, so the hash chain verifies on the
 * other side exactly as it did here (`claimledger copy`, and the bench's PostgreSQL leg).
 * What each engine keeps by itself — SQLite's FTS index, PostgreSQL's `search` vectors and
 * the claims-by-status counters — its triggers rebuild as the rows arrive.
 *
 * One PostgreSQL transaction: the target ends up with everything or nothing. One SQLite read
 * transaction: the copy is the database as it was when the copy began (WAL: a server may go on
 * writing meanwhile; what it writes is not in the copy, and `head` says where the copy ends).
 * Audit events go one statement each (the append trigger checks each against the head, which a multi-row
 * INSERT would not show it); every other table in batches.
 */
import { asc, getTableColumns, gt, sql } from 'drizzle-orm'
import type { Db } from './open.js'
import type { PgDb } from './postgres/open.js'
import * as pgSchema from './postgres/schema.js'
import * as sqliteSchema from './schema.js'
import { WRITE_LOCK } from './postgres/engine.js'

/** Parents before children, the audit log last. */
const TABLES = ['apiKeys', 'speakers', 'speakerNames', 'sources', 'claims', 'claimTopics', 'reviews', 'appearances', 'idempotencyKeys'] as const

const BATCH = 500

export interface CopyProgress { table: string, rows: number }

export class TargetNotEmpty extends Error {
  override name = 'TargetNotEmpty'
}

export interface Copied {
  /** Rows per table (audit events included). */
  rows: Record<string, number>
  /** The last audit event copied: the source's head when the copy began. */
  head: { seq: number, hash: string } | undefined
}

/** Copies `from` (a connection of its own: the copy reads in one transaction on it) into `to`. Throws TargetNotEmpty if the target holds any claim, key or event. */
export async function copySqliteToPostgres (from: Db, to: PgDb, progress: (p: CopyProgress) => void = () => {}): Promise<Copied> {
  const copied: Record<string, number> = {}
  let head: Copied['head']
  from.$client.exec('BEGIN')
  try {
    await to.transaction(async (tx) => { head = await copyRows(from, tx, copied, progress) })
  } finally {
    if (from.$client.inTransaction) from.$client.exec('COMMIT')
  }
  return { rows: copied, head }
}

/** The rows, in `tx` (the target's transaction, under the write lock). */
async function copyRows (from: Db, tx: Parameters<Parameters<PgDb['transaction']>[0]>[0], copied: Record<string, number>,
  progress: (p: CopyProgress) => void): Promise<Copied['head']> {
  await tx.execute(WRITE_LOCK)
  const [{ n } = { n: 0 }] = (await tx.execute<{ n: number }>(sql`SELECT (SELECT count(*) FROM api_keys) + (SELECT count(*) FROM claims)
    + (SELECT count(*) FROM audit_events) + (SELECT count(*) FROM speakers) AS n`)).rows
  if (Number(n) > 0) throw new TargetNotEmpty('the PostgreSQL database is not empty: copy only into a new, migrated database')

  for (const name of TABLES) {
    const source = sqliteSchema[name]
    const target = pgSchema[name]
    // Only the columns both sides have (PostgreSQL's `search` is its triggers' to fill).
    const columns = Object.keys(getTableColumns(target)).filter((key) => key in getTableColumns(source))
    let rows = 0
    // Pages in rowid order (SQLite's storage order: parents were stored before their children).
    for (let after = 0; ;) {
      const page = from.select({ row: source, rowid: sql<number>`rowid` }).from(source as never)
        .where(sql`rowid > ${after}`).orderBy(sql`rowid`).limit(BATCH).all() as Array<{ row: Record<string, unknown>, rowid: number }>
      if (page.length === 0) break
      await tx.insert(target).values(page.map(({ row }) => Object.fromEntries(columns.map((key) => [key, row[key]]))) as never)
      rows += page.length
      after = page[page.length - 1]?.rowid ?? after
      progress({ table: name, rows })
    }
    copied[name] = rows
  }

  let events = 0
  let head: { seq: number, hash: string } | undefined
  const { auditEvents } = sqliteSchema
  for (let after = 0; ;) {
    const page = from.select().from(auditEvents).where(gt(auditEvents.seq, after)).orderBy(asc(auditEvents.seq)).limit(BATCH).all()
    if (page.length === 0) break
    for (const event of page) await tx.insert(pgSchema.auditEvents).values(event)
    events += page.length
    after = page[page.length - 1]?.seq ?? after
    head = page[page.length - 1] ?? head
    progress({ table: 'auditEvents', rows: events })
  }
  copied.auditEvents = events
  return head === undefined ? undefined : { seq: head.seq, hash: head.hash }
}
