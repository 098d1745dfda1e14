/**
 * What services need of a database, whichever engine holds it (SQLite: sqlite/engine.ts,
 * PostgreSQL: postgres/engine.ts). Services are written once against this interface and hand
 * the query handle (`q`) to repositories, the only code that knows SQL; `Q` is that handle's
 * type per engine (a drizzle database or transaction), opaque to services.
 *
 * The guarantees, the same on both engines (test/engine.test.ts runs on each):
 * - `transaction` takes the write lock before `fn` runs, so writes are serialised — across
 *   processes too — and a read-check-write inside one (an If-Match version, the audit chain's
 *   head) cannot interleave with another write. It commits when `fn` resolves and rolls back
 *   when it throws, rethrowing what `fn` threw. `tx.transaction` inside it is a savepoint.
 * - `read` sees committed data only, never a write in progress, and does not wait for writes
 *   (except on a SQLite `:memory:` database, which has a single connection).
 */
export interface Transactional<Q> {
  transaction: <T>(fn: (tx: Tx<Q>) => Promise<T>) => Promise<T>
}

/** A transaction in progress: its query handle, and savepoints inside it. */
export interface Tx<Q> extends Transactional<Q> {
  readonly q: Q
}

export interface Engine<Q> extends Transactional<Q> {
  readonly kind: 'sqlite' | 'postgres'
  /** Runs reads outside any transaction. */
  read: <T>(fn: (q: Q) => Promise<T> | T) => Promise<T>
  /** undefined when the database answers, is fully migrated and can take writes; else why not. */
  readiness: () => Promise<string | undefined>
  /** Waits for the transaction in progress, then closes every connection. */
  close: () => Promise<void>
  /**
   * A number that changes soon after another process changed the API keys (maybe other data
   * too), so that caches of them can be dropped: SQLite's `data_version`, PostgreSQL's
   * notifications. Cheap enough to read every second.
   */
  changedElsewhere: () => number
}

/**
 * A repository interface as an asynchronous engine implements it: every method returns a
 * promise of what the interface's returns. SQLite's repositories answer synchronously
 * (better-sqlite3), PostgreSQL's over the network; services `await` both.
 */
export type Async<R> = {
  [K in keyof R]: R[K] extends (...args: infer A) => infer T ? (...args: A) => Promise<Awaited<T>> : R[K]
}
