/**
 * What the appearances service needs of storage: rows in, rows out, no rules. One
 * implementation per engine; the rules (the claim live, the source found or made, the event
 * on the claim) live once in service.ts.
 */
export interface Appearance {
  id: string
  claimId: string
  source: { id: string, title: string, url: string | null }
  speaker: { id: string, name: string } | null
  appearedAt: string
  url: string | null
  quote: string | null
  createdAt: string
}

export interface AppearanceRow {
  id: string
  claimId: string
  sourceId: string
  speakerId: string | null
  appearedAt: string
  url: string | null
  quote: string | null
  createdAt: string
}

/** An appearance from its row joined to its source's title and URL and its speaker's name (both engines' shape). */
export const toAppearance = ({ row, sourceTitle, sourceUrl, speakerName }: {
  row: AppearanceRow, sourceTitle: string, sourceUrl: string | null, speakerName: string | null
}): Appearance => ({
  id: row.id,
  claimId: row.claimId,
  source: { id: row.sourceId, title: sourceTitle, url: sourceUrl },
  speaker: row.speakerId === null ? null : { id: row.speakerId, name: speakerName as string },
  appearedAt: row.appearedAt,
  url: row.url,
  quote: row.quote,
  createdAt: row.createdAt
})

export interface AppearancesRepository {
  insert: (row: AppearanceRow) => void
  /**
   * A claim's appearances in the order they appeared (date, then id), after `after` ([appearedAt, id]);
   * `limit` at most; only those recorded by `recordedBy` (a timestamp), if given.
   */
  list: (claimId: string, limit: number, after?: [string, string], recordedBy?: string) => Appearance[]
  /** The appearances of several claims (an export page's), by claim, each claim's in the order they appeared. */
  ofClaims: (claimIds: string[]) => Appearance[]
}
