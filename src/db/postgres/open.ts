/**
 * The PostgreSQL engine's connection: a node-postgres pool, migrated on open.
 *
 * Driver: `pg` (node-postgres) over postgres.js, by measurement (bench/pg-drivers.mjs, the
 * same drizzle queries through both): a chained audit write (advisory lock, read the head,
 * two inserts) ran ~20% faster one at a time and used ~17% less CPU over the whole run, and
 * that write is the critical section several API processes queue on; postgres.js read by
 * primary key faster only with 8 requests in flight.
 */
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import * as schema from './schema.js'

export type PgDb = NodePgDatabase<typeof schema>

export const postgresMigrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../../../migrations/postgres')

/** How many migrations this build ships (drizzle-kit's journal). */
function migrationCount (): number {
  const journal = JSON.parse(readFileSync(join(postgresMigrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] }
  return journal.entries.length
}

/** Held for the whole migration, so that several instances starting at once migrate one after another. */
const MIGRATION_LOCK = "hashtextextended('claimledger:migrations', 0)"

export interface Postgres {
  db: PgDb
  pool: pg.Pool
  /** undefined when the pool answers and every migration this build ships is applied; else why not. */
  readiness: () => Promise<string | undefined>
  /** Waits for the queries in flight, then ends every connection; again, does nothing. */
  close: () => Promise<void>
  /** Changes on every notification that API keys changed, and whenever that news may have been missed. */
  keysChanged: () => number
}

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  max?: number
}

/** Applies every pending migration, one instance at a time (a session-level advisory lock). */
export async function migratePostgres (pool: pg.Pool): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`)
    try {
      await migrate(drizzle(client, { schema }), { migrationsFolder: postgresMigrationsFolder })
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`)
    }
  } finally {
    client.release()
  }
}

/** Connects to `url` (postgres://…) and migrates it. */
export async function openPostgres (url: string, options: PostgresOptions = {}): Promise<Postgres> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 })
  // An idle connection that the server drops (a restart, a failover) must not crash the process:
  // the pool discards it and the next query opens another.
  pool.on('error', () => undefined)
  let keys: Awaited<ReturnType<typeof listenForKeyChanges>>
  try {
    await migratePostgres(pool)
    keys = await listenForKeyChanges(url)
  } catch (error) {
    await pool.end()
    throw error
  }
  const expected = migrationCount()
  return {
    db: drizzle(pool, { schema }),
    pool,
    readiness: async () => {
      try {
        const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations')
        const missing = expected - Number(rows[0]?.n ?? 0)
        return missing > 0 ? `${missing} migration(s) not applied` : undefined
      } catch {
        return 'the database does not answer'
      }
    },
    close: async () => {
      keys.stop()
      if (!pool.ending) await pool.end()
    },
    keysChanged: keys.version
  }
}

/** Notifications the api_keys trigger sends (migrations/postgres/0004_api_keys_notify.sql). */
const KEYS_CHANNEL = 'claimledger_api_keys'

/**
 * A connection of its own that LISTENs for API key changes, and counts them. If it drops,
 * notifications may have been missed: the count moves on at once, and it reconnects every
 * RECONNECT_MS until it is back (counting again when it is).
 */
async function listenForKeyChanges (url: string) {
  let version = 0
  let stopped = false
  let client: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined
  const later = () => {
    version++
    if (!stopped) retry = setTimeout(() => { connect().catch(later) }, RECONNECT_MS)
  }
  const connect = async () => {
    // keepAlive: a connection a NAT or a failover dropped without a word is noticed, ends, and is replaced.
    const next = new pg.Client({ connectionString: url, keepAlive: true })
    next.on('notification', () => { version++ })
    next.on('error', () => undefined)
    await next.connect()
    if (stopped) {
      await next.end()
      return
    }
    try {
      await next.query(`LISTEN ${KEYS_CHANNEL}`)
    } catch (error) {
      await next.end().catch(() => undefined)
      throw error
    }
    next.on('end', later)
    client = next
    version++
  }
  await connect()
  // A cheap query now and then: a listener that cannot answer is ended, which counts as news.
  const ping = setInterval(() => {
    client?.query('SELECT 1').catch(() => { client?.end().catch(() => undefined) })
  }, PING_MS)
  ping.unref()
  return {
    version: () => version,
    stop: () => {
      stopped = true
      clearTimeout(retry)
      clearInterval(ping)
      client?.end().catch(() => undefined)
    }
  }
}

const RECONNECT_MS = 1000
const PING_MS = 10_000
