/**
 * What services need of a database, whichever engine holds it (SQLite: sqlite/engine.ts,
 * PostgreSQL: postgres/engine.ts). The container (modules/container.ts) builds repositories,
 * the only code that knows SQL, over the engine's handles — `reader` for reads, a
 * transaction's `q` for a write — and the services over them; `Q` is the engine's query
 * handle (a drizzle database or transaction), opaque to services.
 *
 * The guarantees, the same on both engines (test/engine.test.ts runs on each):
 * - `transaction` takes the write lock before `fn` runs, so writes are serialised — across
 *   processes too — and a read-check-write inside one (an If-Match version, the audit chain's
 *   head) cannot interleave with another write. It commits when `fn` resolves and rolls back
 *   when it throws, rethrowing what `fn` threw. `tx.transaction` inside it is a savepoint.
 *   What runs on `tx.q` sees the transaction's own changes; another request, interleaved at an
 *   `await`, reads on `reader` and never does.
 * - Reads outside a transaction see committed data only, never a write in progress, and do
 *   not wait for writes (except on a SQLite `:memory:` database, which has a single connection).
 */
export interface Transactional<Q> {
  transaction: <T>(fn: (tx: Tx<Q>) => Promise<T>) => Promise<T>
}

/** A transaction in progress: its query handle, and savepoints inside it. */
export interface Tx<Q> extends Transactional<Q> {
  readonly q: Q
}

/** Runs `fn` in a savepoint of the transaction a service runs in: what services are given. */
export type Transact = <T>(fn: () => Promise<T>) => Promise<T>

export interface Engine<Q> extends Transactional<Q> {
  readonly kind: 'sqlite' | 'postgres'
  /** The handle reads outside transactions use (SQLite: a read-only connection; PostgreSQL: the pool). */
  readonly reader: Q
  /** Runs `fn` with `reader` (on a SQLite `:memory:` database, queued behind the transaction in progress). */
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
  /**
   * How often reading `changedElsewhere` is worth it, in ms: SQLite's is a query (1000: a
   * revocation elsewhere bites within a second), PostgreSQL's a counter its notifications
   * move (0: every time, so it bites as soon as the notification arrives).
   */
  readonly recheckMs: number
}

/**
 * A repository interface as an asynchronous engine implements it: every method returns a
 * promise of what the interface's returns.
 */
export type Async<R> = {
  [K in keyof R]: R[K] extends (...args: infer A) => infer T ? (...args: A) => Promise<Awaited<T>> : R[K]
}

/**
 * A repository as services see it: each method answers now (SQLite's, better-sqlite3 is
 * synchronous) or with a promise (PostgreSQL's); services `await` every call, so both fit.
 */
export type Repository<R> = {
  [K in keyof R]: R[K] extends (...args: infer A) => infer T ? (...args: A) => Awaited<T> | Promise<Awaited<T>> : R[K]
}
