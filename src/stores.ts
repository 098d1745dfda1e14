/**
 * Every store over one open database. Stores are the only code that knows SQLite; routes
 * reach them as `app.stores`.
 */
import { createLedger } from './audit/ledger.js'
import { createApiKeysStore } from './auth/store.js'
import { createClaimsStore } from './claims/store.js'
import type { Database_ } from './db/open.js'
import { createIdempotencyStore } from './idempotency/store.js'
import { createReviewsStore } from './reviews/store.js'
import { createStatsStore } from './stats/store.js'
import { createSourcesStore } from './sources/store.js'
import { createSpeakersStore } from './speakers/store.js'

export function createStores (database: Database_) {
  const ledger = createLedger(database)
  const speakers = createSpeakersStore(database, ledger)
  const sources = createSourcesStore(database, ledger)
  const claims = createClaimsStore(database, ledger, speakers, sources)
  return {
    /** Runs several store calls as one transaction (nested store transactions become savepoints). */
    transaction: database.transaction,
    readiness: database.readiness,
    ledger,
    apiKeys: createApiKeysStore(database, ledger),
    speakers,
    sources,
    claims,
    reviews: createReviewsStore(database, ledger, claims),
    stats: createStatsStore(database),
    idempotency: createIdempotencyStore(database)
  }
}

export type Stores = ReturnType<typeof createStores>
