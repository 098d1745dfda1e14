/**
 * The SQLite engine behind the Engine interface (../engine.ts).
 *
 * better-sqlite3 is synchronous and a connection has one transaction: any statement run on
 * it while a transaction is open joins that transaction. With asynchronous services, another
 * request's code can run at every `await` inside a transaction, so transactions queue on one
 * mutex (async-mutex) and hold the connection from BEGIN IMMEDIATE to COMMIT. Reads outside
 * transactions go to a second, read-only connection: in WAL mode it sees every committed
 * transaction and nothing in progress, and it does not wait for the writer. A `:memory:`
 * database cannot be opened twice, so there reads queue on the mutex too.
 */
import { Mutex } from 'async-mutex'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import type { Engine, Tx } from '../engine.js'
import { openDatabase, type Database_, type Db, type OpenOptions } from '../open.js'
import * as schema from '../schema.js'

export interface SqliteEngine extends Engine<Db> {
  readonly kind: 'sqlite'
  /** The open database underneath (pragmas, data_version, the CLI's backup). */
  readonly database: Database_
}

/** Opens (creating and migrating if needed) the SQLite file at `path` as an engine. */
export function openSqliteEngine (path: string, options: OpenOptions = {}): SqliteEngine {
  return sqliteEngine(openDatabase(path, options))
}

/** The engine over an open database; closing the engine closes it. */
export function sqliteEngine (database: Database_): SqliteEngine {
  const { sqlite, db } = database
  const writes = new Mutex()
  const reader = sqlite.memory ? undefined : new Database(sqlite.name, { readonly: true, fileMustExist: true })
  // As the writer's (db/open.ts): wait out a checkpoint's brief lock rather than fail; sorts
  // and temporary b-trees (search ranks every match) in memory, not in temporary files.
  reader?.pragma('busy_timeout = 5000')
  reader?.pragma('temp_store = MEMORY')
  const readDb = reader === undefined ? undefined : drizzle(reader, { schema })

  // Savepoints are named uniquely: two opened side by side in one transaction (Promise.all)
  // must not roll back each other's work, which a name per depth would do.
  let savepoints = 0
  /** The handle inside a transaction; its own `transaction` is a savepoint. */
  const within = (): Tx<Db> => ({
    q: db,
    transaction: async (fn) => {
      const name = `claimledger_${++savepoints}`
      sqlite.exec(`SAVEPOINT ${name}`)
      try {
        const result = await fn(within())
        sqlite.exec(`RELEASE ${name}`)
        return result
      } catch (error) {
        // A full disk or an I/O error may have rolled the whole transaction back already
        // (SQLite does for those): then there is no savepoint left, and the error is what counts.
        if (sqlite.inTransaction) {
          sqlite.exec(`ROLLBACK TO ${name}`)
          sqlite.exec(`RELEASE ${name}`)
        }
        throw error
      }
    }
  })

  return {
    kind: 'sqlite',
    database,
    reader: readDb ?? db,
    read: async (fn) => readDb === undefined ? await writes.runExclusive(async () => await fn(db)) : await fn(readDb),
    transaction: async (fn) => await writes.runExclusive(async () => await database.transaction(async () => await fn(within()))),
    readiness: async () => database.readiness(),
    changedElsewhere: database.dataVersion,
    recheckMs: 1000,
    close: async () => {
      await writes.waitForUnlock()
      reader?.close()
      database.close()
    }
  }
}
