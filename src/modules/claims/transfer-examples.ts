/**
 * Examples for import and export (see examples.ts): an import of a new claim and of one the seed
 * already holds, and the example claim as the export writes it.
 */
import { stringify } from 'csv-stringify/sync'
import { SEEDED, SEEDED_ARTICLE } from '../../seeded.js'
import { newClaim } from './examples.js'
import { CSV_COLUMNS, csvRow, type ExportRecord } from './export.js'

/** An import of two records: a new claim (speaker and source found inline), and one the seed already holds. */
export const importInput = {
  items: [
    {
      text: '36 Armenian civilians have been killed in the fighting over Nagorno-Karabakh.',
      speaker: { name: 'Yerevan' },
      source: { title: SEEDED_ARTICLE.title, publisher: 'Mail Online' },
      claimedAt: '2020-10-21',
      topics: ['nagorno-karabakh', 'casualties', 'civilians']
    },
    {
      text: '63 Azerbaijani civilians have been casualties of the fighting.',
      speaker: { name: 'Baku' },
      sourceId: SEEDED.source.mailOnline,
      claimedAt: '2020-10-21'
    }
  ]
}

export const importResultExample = {
  created: 1,
  duplicates: 1,
  failed: 0,
  results: [
    { index: 0, ok: true, id: '01754b91-26a4-7712-a59c-8d4bcdebc851', possibleMatches: [] },
    {
      index: 1,
      ok: false,
      existingId: SEEDED.claims.azerbaijaniCivilianCasualties,
      error: {
        status: 409,
        title: 'Already exists',
        detail: `Claim ${SEEDED.claims.azerbaijaniCivilianCasualties} already records this speaker saying this on 2020-10-21`
      }
    }
  ]
}

/** `newClaim` as GET /v1/claims/export writes it: speaker and source inline, so it imports as it is. */
const exported: ExportRecord = {
  id: newClaim.id,
  text: newClaim.text,
  quote: null,
  speaker: { name: 'Ilham Aliyev', kind: 'person', description: 'President of Azerbaijan' },
  source: { title: SEEDED_ARTICLE.title, publisher: 'Mail Online', url: null, kind: 'article', publishedAt: '2020-10-21' },
  claimedAt: newClaim.claimedAt,
  context: newClaim.context,
  topics: newClaim.topics,
  language: 'en',
  status: 'unverified',
  reviewCount: 0,
  lastReviewedAt: null,
  createdAt: newClaim.createdAt,
  updatedAt: newClaim.updatedAt,
  version: 1,
  appearances: [{
    source: { title: 'Aliyev repeats his ceasefire terms', publisher: 'Example Wire', url: 'https://wire.example/aliyev-terms', kind: 'article', publishedAt: '2020-10-23' },
    speaker: null,
    appearedAt: '2020-10-23',
    url: null,
    quote: null
  }]
}

export const ndjsonExample = JSON.stringify(exported) + '\n'

/** The same as CSV (the export's columns; `topics` joined by `;`). */
export const csvExample = stringify([csvRow(exported)], { header: true, columns: [...CSV_COLUMNS], quoted_string: false, record_delimiter: 'unix' })
