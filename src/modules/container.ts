/**
 * The container: builds the repositories (the only code that knows SQL) of one engine over
 * its handles, and the services (the rules, written once) over them, each given the named
 * dependencies it uses. Routes reach
 * the services as `app.services`; the CLI through cli/database.ts.
 */
import type { Engine, Repository, Transact } from '../db/engine.js'
import type { Db } from '../db/open.js'
import type { PgQ } from '../db/postgres/engine.js'
import type { AnyEngine } from '../db/connect.js'
import { createPostgresAppearancesRepository } from './appearances/postgres.js'
import type { AppearancesRepository } from './appearances/repository.js'
import { createAppearancesService } from './appearances/service.js'
import { createSqliteAppearancesRepository } from './appearances/sqlite.js'
import { createLedger, type LedgerDeps } from './audit/ledger.js'
import { createPostgresAuditRepository } from './audit/postgres.js'
import { createSqliteAuditRepository } from './audit/sqlite.js'
import { createPostgresApiKeysRepository } from './auth/postgres.js'
import type { ApiKeysRepository } from './auth/repository.js'
import { createApiKeysService, createKeyCache, type KeyCache } from './auth/service.js'
import { createSqliteApiKeysRepository } from './auth/sqlite.js'
import { createClaimLists, type ClaimLists } from './claims/lists.js'
import { createPostgresClaimLists } from './claims/lists-postgres.js'
import { createPostgresClaimsRepository } from './claims/postgres.js'
import type { ClaimsRepository } from './claims/repository.js'
import { createClaimsService } from './claims/service.js'
import { createSqliteClaimsRepository } from './claims/sqlite.js'
import { createPostgresIdempotencyRepository } from './idempotency/postgres.js'
import type { IdempotencyRepository } from './idempotency/repository.js'
import { createIdempotencyService } from './idempotency/service.js'
import { createSqliteIdempotencyRepository } from './idempotency/sqlite.js'
import { createPostgresMatchingRepository } from './matching/postgres.js'
import type { MatchingRepository } from './matching/repository.js'
import { createTermCounts, type TermCounts } from './matching/plan.js'
import { createMatchingService } from './matching/service.js'
import { createSqliteMatchingRepository } from './matching/sqlite.js'
import { createPostgresReviewsRepository } from './reviews/postgres.js'
import type { ReviewsRepository } from './reviews/repository.js'
import { createReviewsService } from './reviews/service.js'
import { createSqliteReviewsRepository } from './reviews/sqlite.js'
import { createPostgresSourcesRepository } from './sources/postgres.js'
import type { SourcesRepository } from './sources/repository.js'
import { createSourcesService } from './sources/service.js'
import { createSqliteSourcesRepository } from './sources/sqlite.js'
import { createPostgresSpeakersRepository } from './speakers/postgres.js'
import type { SpeakersRepository } from './speakers/repository.js'
import { createSpeakersService } from './speakers/service.js'
import { createSqliteSpeakersRepository } from './speakers/sqlite.js'
import { createPostgresStatsRepository } from './stats/postgres.js'
import type { StatsRepository } from './stats/repository.js'
import { createStatsService } from './stats/service.js'
import { createSqliteStatsRepository } from './stats/sqlite.js'

export type { AnyEngine } from '../db/connect.js'

/** Every repository, as the services see them. */
export interface Repositories {
  appearances: Repository<AppearancesRepository>
  audit: LedgerDeps['audit']
  apiKeys: Repository<ApiKeysRepository>
  claims: Repository<ClaimsRepository>
  lists: Repository<ClaimLists>
  idempotency: Repository<IdempotencyRepository>
  matching: Repository<MatchingRepository>
  reviews: Repository<ReviewsRepository>
  sources: Repository<SourcesRepository>
  speakers: Repository<SpeakersRepository>
  stats: Repository<StatsRepository>
}

/** SQLite's repositories over one connection, prepared once per connection (reader and writer). */
const sqliteRepositories = (db: Db): Repositories => ({
  appearances: createSqliteAppearancesRepository(db),
  audit: createSqliteAuditRepository(db),
  apiKeys: createSqliteApiKeysRepository(db),
  claims: createSqliteClaimsRepository(db),
  lists: createClaimLists(db),
  idempotency: createSqliteIdempotencyRepository(db),
  matching: createSqliteMatchingRepository(db),
  reviews: createSqliteReviewsRepository(db),
  sources: createSqliteSourcesRepository(db),
  speakers: createSqliteSpeakersRepository(db),
  stats: createSqliteStatsRepository(db)
})

/** PostgreSQL's repositories over the pool or one transaction (nothing to prepare: cheap per transaction). */
const postgresRepositories = (q: PgQ): Repositories => ({
  appearances: createPostgresAppearancesRepository(q),
  audit: createPostgresAuditRepository(q),
  apiKeys: createPostgresApiKeysRepository(q),
  claims: createPostgresClaimsRepository(q),
  lists: createPostgresClaimLists(q),
  idempotency: createPostgresIdempotencyRepository(q),
  matching: createPostgresMatchingRepository(q),
  reviews: createPostgresReviewsRepository(q),
  sources: createPostgresSourcesRepository(q),
  speakers: createPostgresSpeakersRepository(q),
  stats: createPostgresStatsRepository(q)
})

/** Where services run: outside any transaction (reads), or inside one (reads and writes). */
interface Scope {
  inTransaction: boolean
  /** A savepoint of the scope's transaction (never called outside one: see `createServices`). */
  transaction: Transact
  afterCommit: (fn: () => void) => void
}

/** Every service over one scope's repositories, each given the named dependencies it uses. */
/** What every scope's services share: caches that outlive a request. */
interface Shared { keyCache: KeyCache, termCounts: TermCounts }

function scopeServices (repositories: Repositories, scope: Scope, shared: Shared) {
  const { transaction } = scope
  const ledger = createLedger({ audit: repositories.audit, inTransaction: () => scope.inTransaction })
  const speakers = createSpeakersService({ transaction, speakers: repositories.speakers, ledger })
  const sources = createSourcesService({ transaction, sources: repositories.sources, ledger })
  const claims = createClaimsService({ transaction, claims: repositories.claims, lists: repositories.lists, speakers, sources, ledger })
  return {
    ledger,
    apiKeys: createApiKeysService({ transaction, apiKeys: repositories.apiKeys, ledger, cache: shared.keyCache, afterCommit: scope.afterCommit }),
    speakers,
    sources,
    claims,
    reviews: createReviewsService({ transaction, reviews: repositories.reviews, claims, ledger }),
    matching: createMatchingService({ matching: repositories.matching, reviews: repositories.reviews, speakers, termCounts: shared.termCounts }),
    appearances: createAppearancesService({ transaction, appearances: repositories.appearances, claims, sources, speakers, ledger }),
    stats: createStatsService({ stats: repositories.stats }),
    idempotency: createIdempotencyService({ idempotency: repositories.idempotency, assertInTransaction: ledger.assertInTransaction })
  }
}

/** The services of one transaction: what `services.transaction(fn)` gives `fn`. */
export type TxServices = ReturnType<typeof scopeServices>

/**
 * The methods that write, per service: called outside a transaction, each runs in one of its
 * own (on that transaction's services). The ones that must be called inside a caller's
 * transaction (ledger.append, reviews.applyWithin, claims.recordReview, idempotency.remember)
 * are not here: outside one they refuse, as they should.
 */
const WRITES = {
  apiKeys: ['create', 'revoke', 'bootstrap'],
  speakers: ['create', 'findOrCreate', 'update', 'delete'],
  sources: ['create', 'findOrCreate', 'update', 'delete'],
  claims: ['create', 'update', 'delete'],
  reviews: ['create'],
  appearances: ['add']
} as const satisfies { [S in keyof TxServices]?: ReadonlyArray<keyof TxServices[S]> }

const outsideTransactions: Transact = async () => { throw new Error('a write ran outside a transaction') }

/**
 * The services over an engine. Reads run on its reader; each write runs in a transaction on
 * services built over that transaction's repositories, so everything it reads and writes —
 * across services, savepoints included — is the transaction's. (Services built per
 * transaction: a handful of closures, far below a write's cost. The alternative, one set of
 * services finding the caller's transaction through AsyncLocalStorage, cost 15% of a GET on
 * Node 20, whose promise hooks slow every promise in the process: bench, issue 11's note.)
 */
export function createServices (engine: AnyEngine) {
  const shared: Shared = {
    keyCache: createKeyCache({ changedElsewhere: engine.changedElsewhere, recheckMs: engine.recheckMs }),
    termCounts: createTermCounts()
  }
  const repositoriesOf = engine.kind === 'sqlite'
    ? cachedPerHandle(sqliteRepositories)
    : postgresRepositories as (q: Db | PgQ) => Repositories
  // A SQLite `:memory:` database has one connection, the writer's: a read there, run while a
  // write's transaction is open (at one of its awaits), would see that write before it commits.
  // There each read waits for the transaction in progress (engine.read); elsewhere reads run
  // on their own handle, which sees committed data only, and wait for nothing.
  const readers = engine.kind === 'sqlite' && engine.reader === engine.database.db
    ? queued(repositoriesOf(engine.reader), engine.read as Engine<Db | PgQ>['read'])
    : repositoriesOf(engine.reader)

  /**
   * Runs `fn` in a transaction, on that transaction's services; `afterCommit` callbacks run
   * once it has committed. A service's own `transaction` inside is a savepoint (so that a
   * caller may catch a failure and go on, as an import does per record), except for the
   * first when `fn` is one write method (`direct`): the transaction is that method's own.
   */
  const run = async <T>(fn: (tx: TxServices) => Promise<T>, direct: boolean): Promise<T> => {
    const committed: Array<() => void> = []
    const result = await (engine as Engine<Db | PgQ>).transaction(async (tx) => {
      let depth = direct ? 0 : 1
      // Savepoints open inside the innermost one: drizzle names PostgreSQL's by depth, and a
      // failed inner one rolled back to a name its outer one shares would undo the outer's work.
      let innermost = tx
      const deeper = async <R>(inner: () => Promise<R>): Promise<R> => {
        depth++
        try {
          return await inner()
        } finally {
          depth--
        }
      }
      return await fn(scopeServices(repositoriesOf(tx.q), {
        inTransaction: true,
        transaction: async (inner) => {
          if (depth === 0) return await deeper(inner)
          const outer = innermost
          return await outer.transaction(async (savepoint) => {
            innermost = savepoint
            try {
              return await deeper(inner)
            } finally {
              innermost = outer
            }
          })
        },
        afterCommit: (f) => { committed.push(f) }
      }, shared))
    })
    for (const f of committed) f()
    return result
  }

  /** Runs `fn` in one transaction, on its services: several writes that commit or fail together. */
  const transaction = async <T>(fn: (tx: TxServices) => Promise<T>): Promise<T> => await run(fn, false)

  const services = scopeServices(readers, {
    inTransaction: false,
    transaction: outsideTransactions,
    afterCommit: (f) => { f() }
  }, shared)
  for (const [name, methods] of Object.entries(WRITES)) {
    const service = services[name as keyof typeof WRITES] as unknown as Record<string, unknown>
    for (const method of methods) {
      service[method] = async (...args: unknown[]) => await run(async (tx) =>
        await (tx[name as keyof typeof WRITES] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]?.(...args), true)
    }
  }
  return { ...services, engine, transaction, readiness: engine.readiness }
}

/**
 * Every method of every repository, run through `read` (which queues it behind the transaction
 * in progress). The audit chain (`all`, an iterable) is read whole under it, then handed out.
 */
function queued (repositories: Repositories, read: Engine<Db | PgQ>['read']): Repositories {
  type Method = (...args: unknown[]) => unknown
  const wrap = (key: string, method: Method): Method => key === 'all'
    ? async function * (...args) { yield * await read(() => [...method(...args) as Iterable<unknown>]) }
    : async (...args) => await read(() => method(...args))
  return Object.fromEntries(Object.entries(repositories).map(([name, repository]) => [name,
    Object.fromEntries(Object.entries(repository as Record<string, Method>).map(([key, method]) => [key, wrap(key, method)]))
  ])) as unknown as Repositories
}

/** `make(handle)`, built once per handle (SQLite's two connections: their statements are prepared once). */
function cachedPerHandle<R> (make: (db: Db) => R): (q: Db | PgQ) => R {
  const built = new WeakMap<object, R>()
  return (q) => {
    let made = built.get(q)
    if (made === undefined) {
      made = make(q as Db)
      built.set(q, made)
    }
    return made
  }
}

export type Services = ReturnType<typeof createServices>
