import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import * as schema from './schema.js'

export type Db = BetterSQLite3Database<typeof schema>

/** An open database: drizzle for queries, the raw handle for pragmas and transactions. */
export interface Database_ {
  db: Db
  sqlite: Database.Database
  /**
   * Runs `fn` in a transaction. Top-level calls take the write lock up front
   * (BEGIN IMMEDIATE) so a read-then-write such as "read the audit head, append" can
   * never interleave with another process; nested calls become savepoints.
   * `fn` must be synchronous: better-sqlite3 rejects a function that returns a promise.
   */
  transaction: <T>(fn: () => T) => T
  /**
   * SQLite's `data_version`: changes whenever another connection (the CLI beside a running
   * server, say) commits to the file, never for this connection's own commits. Caches of
   * rows read here stay valid while it stands still.
   */
  dataVersion: () => number
  /** undefined when the database answers and every migration is applied; else why not. */
  readiness: () => string | undefined
  close: () => void
}

export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations')

/** How many migrations this build ships (drizzle-kit's journal). */
function migrationCount (): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] }
  return journal.entries.length
}

/**
 * Opens (creating if needed) the SQLite file and applies every pending migration.
 *
 * Pragmas: WAL lets readers run beside the single writer; `synchronous=NORMAL` in WAL mode
 * never corrupts the file and loses nothing when the *process* dies (kill -9, crash),
 * because committed pages are already in the OS; only an OS crash or power cut can roll
 * back the last few commits, and then whole transactions (with their audit events) go
 * together, so the chain stays valid. `busy_timeout` makes a second process (the CLI
 * beside a running server) wait for the lock instead of failing at once. `temp_store` is
 * explained where it is set.
 */
export function openDatabase (path: string): Database_ {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true })
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  // Statement journals (any statement that fires a trigger, every savepoint) in memory, not
  // in temporary files: the audit append took half the time with them (bench: raw inserts).
  sqlite.pragma('temp_store = MEMORY')
  const db = drizzle(sqlite, { schema })
  migrate(db, { migrationsFolder })
  const dataVersion = sqlite.prepare('PRAGMA data_version').pluck()
  return {
    db,
    sqlite,
    dataVersion: () => dataVersion.get() as number,
    transaction: (fn) => sqlite.transaction(fn).immediate(),
    readiness: () => {
      try {
        const applied = (sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n
        const expected = migrationCount()
        return applied >= expected ? undefined : `${expected - applied} migration(s) not applied`
      } catch {
        return 'the database cannot be read'
      }
    },
    close: () => {
      if (!sqlite.open) return
      sqlite.pragma('wal_checkpoint(TRUNCATE)')
      sqlite.close()
    }
  }
}
