/**
 * The PostgreSQL engine behind the Engine interface (../engine.ts), over a migrated pool.
 *
 * A transaction runs at READ COMMITTED and first takes the write lock, a transaction-scoped
 * advisory lock shared by every process on the database: writes are serialised as SQLite
 * serialises them (BEGIN IMMEDIATE), so a read-check-write inside one — an If-Match version,
 * the audit chain's head — cannot interleave with another process's. It is the lock the audit
 * table's trigger takes (migrations/postgres/0001_audit_chain.sql); advisory locks are
 * re-entrant within a transaction, so the trigger's take is free. Reads take no lock.
 */
import { Mutex } from 'async-mutex'
import { sql } from 'drizzle-orm'
import type { Engine, Tx } from '../engine.js'
import { openPostgres, type PgDb, type Postgres, type PostgresOptions } from './open.js'

/** A query handle: the pool's database, or a transaction (or savepoint) on one of its connections. */
export type PgQ = PgDb | PgTx
type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0]

/** SQL that takes the write lock; the audit trigger takes the same one. */
export const WRITE_LOCK = sql`SELECT pg_advisory_xact_lock(hashtextextended('claimledger:audit_events', 0))`

export interface PostgresEngine extends Engine<PgQ> {
  readonly kind: 'postgres'
  readonly postgres: Postgres
}

/** Connects to `url`, migrates, and returns the engine. */
export async function openPostgresEngine (url: string, options: PostgresOptions = {}): Promise<PostgresEngine> {
  return postgresEngine(await openPostgres(url, options))
}

export function postgresEngine (postgres: Postgres): PostgresEngine {
  const writes = new Mutex()
  const within = (handle: PgTx): Tx<PgQ> => ({
    q: handle,
    transaction: async (fn) => await handle.transaction(async (savepoint) => await fn(within(savepoint)))
  })
  return {
    kind: 'postgres',
    postgres,
    reader: postgres.db,
    read: async (fn) => await fn(postgres.db),
    // Writes queue in the process before they take a connection: otherwise every pooled
    // connection could sit waiting for the lock, and reads (and /ready) would wait behind them.
    // The lock waits at most as long as SQLite's busy_timeout, then the write fails.
    transaction: async (fn) => await writes.runExclusive(async () => await postgres.db.transaction(async (handle) => {
      await handle.execute(sql`SET LOCAL lock_timeout = '5s'`)
      await handle.execute(WRITE_LOCK)
      return await fn(within(handle))
    }, { isolationLevel: 'read committed' })),
    readiness: postgres.readiness,
    changedElsewhere: postgres.keysChanged,
    recheckMs: 0,
    close: postgres.close
  }
}
