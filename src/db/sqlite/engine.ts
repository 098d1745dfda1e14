/**
 * The SQLite engine behind the Engine interface (../engine.ts).
 *
 * better-sqlite3 is synchronous and a connection has one transaction: any statement run on
 * it while a transaction is open joins that transaction. With asynchronous services, another
 * request's code can run at every `await` inside a transaction, so transactions queue on one
 * mutex (async-mutex) and hold the connection from BEGIN IMMEDIATE to COMMIT. Reads outside
 * transactions go to a second, read-only connection: in WAL mode it sees every committed
 * transaction and nothing in progress, and it does not wait for the writer. A `:memory:`
 * database cannot be opened twice, so there reads queue on the mutex too. Transactions that
 * arrive together share one commit (group commit, below), and a worker thread checkpoints the
 * WAL (checkpointer.ts).
 */
import { Mutex } from 'async-mutex'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import type { Engine, Tx } from '../engine.js'
import { AUTOCHECKPOINT_BOUND, startCheckpointer, type Checkpointer } from './checkpointer.js'
import { openDatabase, type Database_, type Db, type OpenOptions } from '../open.js'
import * as schema from '../schema.js'

export interface SqliteEngine extends Engine<Db> {
  readonly kind: 'sqlite'
  /** The open database underneath (pragmas, data_version, the CLI's backup). */
  readonly database: Database_
  /** Transactions asked for, and commits made: fewer commits when writes arrived together (group commit). */
  readonly counts: { transactions: number, commits: number }
  /** The worker that checkpoints the WAL (undefined for `:memory:`). */
  readonly checkpointer: Checkpointer | undefined
}

/** The most transactions one commit carries (a group's last waits for all before it). */
export const MAX_GROUP = 64

interface Waiting {
  fn: (tx: Tx<Db>) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
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
  // Checkpoints in a worker thread, the writer's own only past a bound (checkpointer.ts).
  // Should the worker fail to start or end by itself, the writer checkpoints as SQLite's default does.
  const ownCheckpoints = () => { if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000') }
  let checkpointer: Checkpointer | undefined
  if (!sqlite.memory) {
    try {
      checkpointer = startCheckpointer(sqlite.name, (why) => {
        process.emitWarning(`claimledger: ${why}; the server checkpoints its WAL itself again`)
        ownCheckpoints()
      })
      sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_BOUND}`)
    } catch (error) {
      process.emitWarning(`claimledger: no checkpointing worker (${(error as Error).message}); the server checkpoints its WAL itself`)
    }
  }
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
          try {
            sqlite.exec(`ROLLBACK TO ${name}`)
            sqlite.exec(`RELEASE ${name}`)
          } catch {
            // The savepoint could not be undone (the connection busy, say): its writes must not
            // commit with the rest, so the whole transaction goes.
            sqlite.exec('ROLLBACK')
          }
        }
        throw error
      }
    }
  })

  /**
   * Group commit: the transactions asked for in one turn of the event loop (the requests that
   * arrived together), or while one ran, go together in the next, each in a savepoint of its
   * own, in the order they came, and one COMMIT makes them all durable: a
   * review writes the tail pages of the audit log, the reviews and their indexes once per
   * group, not once per review. Each is answered only after that commit. One that fails rolls
   * back to its savepoint and fails alone. If the transaction cannot begin or commit, every
   * one of them fails; if it is lost midway (a full disk makes SQLite roll it all back), those
   * that ran fail with it and the rest go on in the next group. A transaction that comes alone
   * runs as before, without a savepoint.
   */
  const waiting: Waiting[] = []
  const counts = { transactions: 0, commits: 0 }
  // A transaction runs at the end of the turn it was asked for in (setImmediate: after the
  // I/O callbacks of that turn, so the requests read with it join its group), not later.
  let scheduled = false
  const schedule = () => {
    if (scheduled) return
    scheduled = true
    setImmediate(() => {
      // runGroup settles every transaction it takes, itself: nothing is left to catch here.
      writes.runExclusive(runGroup).finally(() => {
        scheduled = false
        if (waiting.length > 0) schedule()
      }).catch(() => undefined)
    })
  }
  const busy = () => scheduled || waiting.length > 0 || writes.isLocked()
  let closing = false
  const runGroup = async (): Promise<void> => {
    const group = waiting.splice(0, MAX_GROUP)
    if (group.length === 0) return
    counts.commits++
    if (group.length === 1) {
      const [only] = group as [Waiting]
      await database.transaction(async () => await only.fn(within())).then(only.resolve, only.reject)
      return
    }
    const outcomes: Array<{ value: unknown } | { error: unknown }> = []
    // (the group's transactions run one after another. Awaits inside them mostly yield only to
    // microtasks on SQLite; one that yields to the event loop (an import, every 50 ms) lets
    // requests arrive meanwhile: their writes wait in `waiting` for the next group.)
    let began = false
    try {
      await database.transaction(async () => {
        began = true
        for (const { fn } of group) {
          try {
            outcomes.push({ value: await within().transaction(fn) })
          } catch (error) {
            if (!sqlite.inTransaction) throw error
            outcomes.push({ error })
          }
        }
      })
    } catch (error) {
      // The transaction could not begin (busy, the file gone) or commit: all fail. Or it was
      // lost midway: those that ran (and the one that failed) fail with its error, and those
      // that had not started yet go first in the next group, as if they had come later.
      const started = began ? outcomes.length + 1 : group.length
      for (const { reject } of group.slice(0, started)) reject(error)
      waiting.unshift(...group.slice(started))
      return
    }
    group.forEach(({ resolve, reject }, i) => {
      const outcome = outcomes[i] as { value: unknown } | { error: unknown }
      if ('error' in outcome) {
        database.noteFault(outcome.error)
        reject(outcome.error)
      } else {
        resolve(outcome.value)
      }
    })
  }

  return {
    kind: 'sqlite',
    database,
    counts,
    checkpointer,
    reader: readDb ?? db,
    read: async (fn) => readDb === undefined ? await writes.runExclusive(async () => await fn(db)) : await fn(readDb),
    transaction: async <T>(fn: (tx: Tx<Db>) => Promise<T>): Promise<T> => {
      if (closing) throw new Error('the database is closing: no new transaction')
      counts.transactions++
      const done = new Promise<T>((resolve, reject) => { waiting.push({ fn, resolve: resolve as (value: unknown) => void, reject }) })
      schedule()
      return await done
    },
    readiness: async () => database.readiness(),
    changedElsewhere: database.dataVersion,
    recheckMs: 1000,
    close: async () => {
      // The transactions asked for before the close run first; none is taken after it began.
      closing = true
      while (busy()) await new Promise((resolve) => setImmediate(resolve))
      await checkpointer?.stop()
      reader?.close()
      database.close()
    }
  }
}
