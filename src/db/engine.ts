/**
 * What services need of a database, whichever engine holds it (SQLite: sqlite/engine.ts,
 * PostgreSQL: postgres/engine.ts). Services are written once against this interface and call
 * repositories, the only code that knows SQL, bound to it with `bindRepository`; `Q` is the
 * engine's query handle (a drizzle database or transaction), opaque to services.
 *
 * The guarantees, the same on both engines (test/engine.test.ts runs on each):
 * - `transaction` takes the write lock before `fn` runs, so writes are serialised — across
 *   processes too — and a read-check-write inside one (an If-Match version, the audit chain's
 *   head) cannot interleave with another write. It commits when `fn` resolves and rolls back
 *   when it throws, rethrowing what `fn` threw.
 * - The open transaction follows the code it runs (AsyncLocalStorage): `transaction` called
 *   again from inside `fn`, however deep, is a savepoint of it, and every repository call made
 *   inside `fn` runs in it, reads included, so a write sees its own changes. Code outside `fn`
 *   — another request, interleaved at an `await` — never does.
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

/** Runs `fn` in the caller's transaction, or in a new one: what services are given. */
export type Transact = <T>(fn: () => Promise<T>) => Promise<T>

export interface Engine<Q> extends Transactional<Q> {
  readonly kind: 'sqlite' | 'postgres'
  /** Whether the calling code runs inside a transaction of this engine. */
  inTransaction: () => boolean
  /** The handle for the calling code: its transaction's, else the one reads outside transactions use. */
  handle: () => Q
  /** Runs `fn` with `handle()`. */
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

type Methods = Record<string, (...args: never[]) => unknown>

/**
 * The repository that `make` builds over a handle, running each call on the caller's handle
 * (`engine.handle()`): its transaction's inside one, the read handle otherwise. Each handle's
 * repository is built once and kept while the handle lives (SQLite: the writer's and the
 * reader's, with their prepared statements; PostgreSQL: one per transaction).
 */
export function bindRepository<Q extends object, R extends object> (engine: Pick<Engine<Q>, 'handle'>, make: (q: Q) => R): R {
  const built = new WeakMap<Q, R>()
  const on = (q: Q): Methods => {
    let repository = built.get(q)
    if (repository === undefined) {
      repository = make(q)
      built.set(q, repository)
    }
    return repository as unknown as Methods
  }
  const bound: Methods = {}
  for (const name of Object.keys(on(engine.handle()))) {
    bound[name] = (...args) => on(engine.handle())[name]?.(...args)
  }
  return bound as unknown as R
}
