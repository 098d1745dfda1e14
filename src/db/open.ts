import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { ensureMarker, foreignDatabase, openFailure, prepareLocation } from './location.js'
import * as schema from './schema.js'
import { faultMemory, watchFile } from './watch.js'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

/** An open database: drizzle for queries, the raw handle for pragmas and transactions. */
export interface Database_ {
  db: Db
  sqlite: Database.Database
  /**
   * Runs `fn` in a transaction that takes the write lock up front (BEGIN IMMEDIATE), so a
   * read-then-write such as "read the audit head, append" can never interleave with another
   * process; COMMIT when `fn` resolves, ROLLBACK when it throws. It first checks that the file
   * is still in place (DatabaseUnavailable 'gone' if not), and remembers a storage fault for
   * `readiness`. For the engine (sqlite/engine.ts) alone, which queues transactions and holds
   * the connection for the whole of one: anything run on it meanwhile would join it.
   */
  transaction: <T>(fn: () => Promise<T>) => Promise<T>
  /**
   * Remembers a storage fault (for `readiness`) that failed part of a committed transaction:
   * one write of a group commit, rolled back to its savepoint while the others committed.
   */
  noteFault: (error: unknown) => void
  /**
   * SQLite's `data_version`: changes whenever another connection (the CLI beside a running
   * server, say) commits to the file, never for this connection's own commits. Caches of
   * rows read here stay valid while it stands still.
   */
  dataVersion: () => number
  /**
   * undefined when the database answers, is fully migrated and can take writes (its file in
   * place and writable, enough free disk, no recent failed write); else why not.
   */
  readiness: () => string | undefined
  /** True when this open created the database file (never for `:memory:`). */
  created: boolean
  close: () => void
}

export interface OpenOptions {
  /** Below this many free bytes on the database's disk, `readiness` fails; 0 (default) skips the check. */
  minFreeBytes?: number
}

export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations/sqlite')

/** How many migrations this build ships (drizzle-kit's journal). */
function migrationCount (): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] }
  return journal.entries.length
}

/**
 * Opens `path` (`file`: its absolute form, undefined for `:memory:`) and migrates it; a
 * failure that is about the file becomes one line naming DATABASE_PATH.
 */
function connect (path: string, file: string | undefined): Database.Database {
  let sqlite: Database.Database | undefined
  try {
    sqlite = new Database(path)
    // Before any pragma that writes (journal_mode): someone else's database stays untouched,
    // and a file that is not a database at all fails here, on this first read.
    if (file !== undefined && isForeign(sqlite)) throw foreignDatabase(file)
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = NORMAL')
    sqlite.pragma('foreign_keys = ON')
    sqlite.pragma('busy_timeout = 5000')
    // Statement journals (any statement that fires a trigger, every savepoint) in memory, not
    // in temporary files: the audit append took half the time with them (bench: raw inserts).
    sqlite.pragma('temp_store = MEMORY')
    migrate(drizzle(sqlite, { schema }), { migrationsFolder })
    return sqlite
  } catch (error) {
    sqlite?.close()
    throw file === undefined ? error : openFailure(error, file)
  }
}

function isForeign (sqlite: Database.Database): boolean {
  const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    .pluck().all() as string[]
  return tables.length > 0 && !tables.includes('__drizzle_migrations')
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
 *
 * A path that cannot serve (a directory, not a database, damaged, read-only, or missing
 * although Claimledger created a database there before: see location.ts) throws
 * DatabaseUnavailable, whose message is one line naming DATABASE_PATH.
 */
export function openDatabase (path: string, options: OpenOptions = {}): Database_ {
  const file = path === ':memory:' ? undefined : resolve(path)
  const created = file !== undefined && prepareLocation(file)
  const sqlite = connect(path, file)
  if (file !== undefined) ensureMarker(file, created)
  const watch = file === undefined ? undefined : watchFile(file, options.minFreeBytes ?? 0)
  const faults = faultMemory()
  const db = drizzle(sqlite, { schema })
  const dataVersion = sqlite.prepare('PRAGMA data_version').pluck()
  const applied = sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck()
  const expected = migrationCount()
  return {
    db,
    sqlite,
    created,
    dataVersion: () => dataVersion.get() as number,
    noteFault: (error) => { faults.note(error) },
    transaction: async (fn) => {
      if (sqlite.inTransaction) throw new Error('a transaction is already open on this connection')
      try {
        watch?.assertInPlace()
        sqlite.exec('BEGIN IMMEDIATE')
        const result = await fn()
        sqlite.exec('COMMIT')
        faults.cleared()
        return result
      } catch (error) {
        if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
        faults.note(error)
        throw error
      }
    },
    readiness: () => {
      const why = watch?.problem() ?? faults.problem()
      if (why !== undefined) return why
      try {
        const missing = expected - (applied.get() as number)
        return missing > 0 ? `${missing} migration(s) not applied` : undefined
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
