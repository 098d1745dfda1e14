/**
 * The container: builds the SQLite repositories (the only code that knows SQL) over one open
 * database, and the services (the rules) over them, each given the named dependencies it uses.
 * Routes reach the services as `app.stores`; the CLI through cli/database.ts.
 *
 * Stats are read-only: a service that composes a repository's counts.
 */
import { createLedger } from './audit/ledger.js'
import { createSqliteAuditRepository } from './audit/sqlite.js'
import { createApiKeysService } from './auth/service.js'
import { createSqliteApiKeysRepository } from './auth/sqlite.js'
import { createClaimLists } from './claims/lists.js'
import { createClaimsService } from './claims/service.js'
import { createSqliteClaimsRepository } from './claims/sqlite.js'
import type { Database_ } from '../db/open.js'
import { createIdempotencyService } from './idempotency/service.js'
import { createSqliteIdempotencyRepository } from './idempotency/sqlite.js'
import { createReviewsService } from './reviews/service.js'
import { createSqliteReviewsRepository } from './reviews/sqlite.js'
import { createStatsService } from './stats/service.js'
import { createSqliteStatsRepository } from './stats/sqlite.js'
import { createSourcesService } from './sources/service.js'
import { createSqliteSourcesRepository } from './sources/sqlite.js'
import { createSpeakersService } from './speakers/service.js'
import { createSqliteSpeakersRepository } from './speakers/sqlite.js'

export function createStores (database: Database_) {
  const { db, sqlite, transaction } = database
  const ledger = createLedger({ audit: createSqliteAuditRepository(db, sqlite), inTransaction: () => sqlite.inTransaction })
  const speakers = createSpeakersService({ transaction, speakers: createSqliteSpeakersRepository(db), ledger })
  const sources = createSourcesService({ transaction, sources: createSqliteSourcesRepository(db), ledger })
  const claims = {
    ...createClaimLists(database),
    ...createClaimsService({ transaction, claims: createSqliteClaimsRepository(db), speakers, sources, ledger })
  }
  return {
    /** Runs several store calls as one transaction (nested store transactions become savepoints). */
    transaction,
    readiness: database.readiness,
    ledger,
    apiKeys: createApiKeysService({ transaction, apiKeys: createSqliteApiKeysRepository(db), ledger, changedElsewhere: database.dataVersion }),
    speakers,
    sources,
    claims,
    reviews: createReviewsService({ transaction, reviews: createSqliteReviewsRepository(db), claims, ledger }),
    stats: createStatsService({ stats: createSqliteStatsRepository(db, sqlite) }),
    idempotency: createIdempotencyService({ idempotency: createSqliteIdempotencyRepository(db), assertInTransaction: ledger.assertInTransaction })
  }
}

export type Stores = ReturnType<typeof createStores>
