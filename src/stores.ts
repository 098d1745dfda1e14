/**
 * Every store over one open database. Stores are the only code that knows SQLite; routes
 * reach them as `app.stores`.
 */
import { createLedger } from './audit/ledger.js'
import { createApiKeysStore } from './auth/store.js'
import { createClaimLists } from './claims/lists.js'
import { createClaimsService } from './claims/service.js'
import { createSqliteClaimsRepository } from './claims/sqlite.js'
import type { Database_ } from './db/open.js'
import { createIdempotencyStore } from './idempotency/store.js'
import { createReviewsService } from './reviews/service.js'
import { createSqliteReviewsRepository } from './reviews/sqlite.js'
import { createStatsStore } from './stats/store.js'
import { createSourcesStore } from './sources/store.js'
import { createSpeakersStore } from './speakers/store.js'

export function createStores (database: Database_) {
  const ledger = createLedger(database)
  const speakers = createSpeakersStore(database, ledger)
  const sources = createSourcesStore(database, ledger)
  const claims = {
    ...createClaimLists(database),
    ...createClaimsService({ transaction: database.transaction, claims: createSqliteClaimsRepository(database.db), speakers, sources, ledger })
  }
  return {
    /** Runs several store calls as one transaction (nested store transactions become savepoints). */
    transaction: database.transaction,
    readiness: database.readiness,
    ledger,
    apiKeys: createApiKeysStore(database, ledger),
    speakers,
    sources,
    claims,
    reviews: createReviewsService({ transaction: database.transaction, reviews: createSqliteReviewsRepository(database.db), claims, ledger }),
    stats: createStatsStore(database),
    idempotency: createIdempotencyStore(database)
  }
}

export type Stores = ReturnType<typeof createStores>
