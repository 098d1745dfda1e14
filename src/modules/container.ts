/**
 * The container: builds the repositories (the only code that knows SQL) of one engine, bound
 * to it (each call runs in the caller's transaction, if any: db/engine.ts), and the services
 * (the rules, written once) over them, each given the named dependencies it uses. Routes reach
 * the services as `app.services`; the CLI through cli/database.ts.
 */
import { bindRepository, type Repository } from '../db/engine.js'
import type { AnyEngine } from '../db/connect.js'
import { createLedger, type LedgerDeps } from './audit/ledger.js'
import { createPostgresAuditRepository } from './audit/postgres.js'
import { createSqliteAuditRepository } from './audit/sqlite.js'
import { createPostgresApiKeysRepository } from './auth/postgres.js'
import type { ApiKeysRepository } from './auth/repository.js'
import { createApiKeysService } from './auth/service.js'
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
  audit: LedgerDeps['audit']
  apiKeys: Repository<ApiKeysRepository>
  claims: Repository<ClaimsRepository>
  lists: Repository<ClaimLists>
  idempotency: Repository<IdempotencyRepository>
  reviews: Repository<ReviewsRepository>
  sources: Repository<SourcesRepository>
  speakers: Repository<SpeakersRepository>
  stats: Repository<StatsRepository>
}

/** The engine's repositories, bound to it. */
export function repositoriesOf (engine: AnyEngine): Repositories {
  if (engine.kind === 'sqlite') {
    return {
      audit: bindRepository(engine, createSqliteAuditRepository),
      apiKeys: bindRepository(engine, createSqliteApiKeysRepository),
      claims: bindRepository(engine, createSqliteClaimsRepository),
      lists: bindRepository(engine, createClaimLists),
      idempotency: bindRepository(engine, createSqliteIdempotencyRepository),
      reviews: bindRepository(engine, createSqliteReviewsRepository),
      sources: bindRepository(engine, createSqliteSourcesRepository),
      speakers: bindRepository(engine, createSqliteSpeakersRepository),
      stats: bindRepository(engine, createSqliteStatsRepository)
    }
  }
  return {
    audit: bindRepository(engine, createPostgresAuditRepository),
    apiKeys: bindRepository(engine, createPostgresApiKeysRepository),
    claims: bindRepository(engine, createPostgresClaimsRepository),
    lists: bindRepository(engine, createPostgresClaimLists),
    idempotency: bindRepository(engine, createPostgresIdempotencyRepository),
    reviews: bindRepository(engine, createPostgresReviewsRepository),
    sources: bindRepository(engine, createPostgresSourcesRepository),
    speakers: bindRepository(engine, createPostgresSpeakersRepository),
    stats: bindRepository(engine, createPostgresStatsRepository)
  }
}

export function createServices (engine: AnyEngine) {
  const repositories = repositoriesOf(engine)
  const transaction = async <T>(fn: () => Promise<T>): Promise<T> => await engine.transaction(async () => await fn())
  const ledger = createLedger({ audit: repositories.audit, inTransaction: engine.inTransaction })
  const speakers = createSpeakersService({ transaction, speakers: repositories.speakers, ledger })
  const sources = createSourcesService({ transaction, sources: repositories.sources, ledger })
  const claims = createClaimsService({ transaction, claims: repositories.claims, lists: repositories.lists, speakers, sources, ledger })
  return {
    engine,
    /** Runs several service calls as one transaction (theirs become savepoints of it). */
    transaction,
    readiness: engine.readiness,
    ledger,
    apiKeys: createApiKeysService({ transaction, apiKeys: repositories.apiKeys, ledger, changedElsewhere: engine.changedElsewhere }),
    speakers,
    sources,
    claims,
    reviews: createReviewsService({ transaction, reviews: repositories.reviews, claims, ledger }),
    stats: createStatsService({ stats: repositories.stats }),
    idempotency: createIdempotencyService({ idempotency: repositories.idempotency, assertInTransaction: ledger.assertInTransaction })
  }
}

export type Services = ReturnType<typeof createServices>
