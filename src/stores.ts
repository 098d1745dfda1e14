/**
 * Every store over one open database. Stores are the only code that knows SQLite; routes
 * reach them as `app.stores`.
 */
import { createLedger } from './audit/ledger.js'
import { createApiKeysStore } from './auth/store.js'
import { createClaimsStore } from './claims/store.js'
import type { Database_ } from './db/open.js'
import { createSourcesStore } from './sources/store.js'
import { createSpeakersStore } from './speakers/store.js'

export function createStores (database: Database_) {
  const ledger = createLedger(database)
  const speakers = createSpeakersStore(database, ledger)
  const sources = createSourcesStore(database, ledger)
  return {
    database,
    ledger,
    apiKeys: createApiKeysStore(database, ledger),
    speakers,
    sources,
    claims: createClaimsStore(database, ledger, speakers, sources)
  }
}

export type Stores = ReturnType<typeof createStores>
