/** What the sources service needs of storage (sqlite.ts today). Keys are already folded. */
import type { Source } from './schemas.js'

/** A source's comparison keys: title and publisher folded, the URL normalised. */
export interface SourceKeys { titleKey: string, publisherKey: string | null, urlKey: string | null }

export interface SourcesRepository {
  /** undefined when no source has this id (malformed ids included). */
  get: (id: string) => Source | undefined
  getMany: (ids: string[]) => Source[]
  byUrlKey: (urlKey: string) => Source | undefined
  /** The oldest source with this title and publisher (null: none). */
  byTitle: (titleKey: string, publisherKey: string | null) => Source | undefined
  insert: (source: Source, keys: SourceKeys) => void
  update: (source: Source, keys: SourceKeys) => void
  delete: (id: string) => void
  /** How many claims, deleted ones included, cite it. */
  citedBy: (id: string) => number
  /** Oldest first: a title prefix, an exact publisher, after an id. */
  list: (opts: { titlePrefix?: string | undefined, publisherKey?: string | undefined, limit: number, afterId?: string | undefined }) => Source[]
}

/** A source as stored by either engine (its comparison keys besides), as the API shows it. */
export const toSource = (row: Source): Source => ({
  id: row.id,
  title: row.title,
  publisher: row.publisher,
  url: row.url,
  kind: row.kind,
  publishedAt: row.publishedAt,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  version: row.version
})
