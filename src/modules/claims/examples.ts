/**
 * Examples for the claims API, drawn from the seeded Mail Online article of 21 October 2020.
 * The new claim is one the seed does not hold, so POST /v1/claims succeeds as documented on a
 * freshly seeded database; the seeded claims are shown as the seed stores them.
 */
import type { z } from 'zod'
import { encodeCursor } from '../../http/pagination.js'
import { SEEDED, SEEDED_ARTICLE, SEEDED_AT } from '../../seeded.js'
import type { Claim, claimCreate, claimDelete, claimUpdate } from './schemas.js'

const text = 'Armenian forces hold regions of Azerbaijan that surround Karabakh.'
const context = 'Aliyev made Armenia\'s withdrawal from Karabakh and from all the surrounding regions of Azerbaijan held ' +
  'by Armenian forces the condition for a ceasefire, after two ceasefire accords had failed to hold.'
const topics = ['nagorno-karabakh', 'azerbaijan', 'armenia', 'ceasefire']

/** A new claim: the speaker found by name (inline), the source by id. */
export const newClaimInput: z.input<typeof claimCreate> = {
  text,
  speaker: { name: 'Ilham Aliyev', kind: 'person', description: 'President of Azerbaijan' },
  sourceId: SEEDED.source.mailOnline,
  claimedAt: '2020-10-21',
  context,
  topics,
  language: 'en'
}

const createdAt = '2020-10-21T14:05:12.481Z'

/** The claim POST /v1/claims creates from `newClaimInput`. */
export const newClaim: Claim = {
  id: '01754b7a-5fa1-7246-805e-500c7539beb6',
  text,
  quote: null,
  speakerId: SEEDED.speakers.aliyev,
  speaker: { id: SEEDED.speakers.aliyev, name: 'Ilham Aliyev' },
  sourceId: SEEDED.source.mailOnline,
  source: SEEDED_ARTICLE,
  claimedAt: '2020-10-21',
  context,
  topics,
  language: 'en',
  status: 'unverified',
  reviewCount: 0,
  lastReviewedAt: null,
  createdAt,
  updatedAt: createdAt,
  version: 1
}

/** What POST /v1/claims answers beside `newClaim` on the seeded database: Aliyev's condition for a ceasefire says much the same. */
export const newClaimPossibleMatches = [{ id: '01754a62-f294-76be-9fd1-694a26d67c66', score: 0.688 }]

/** A seeded claim, as loaded: the one the `{id}` examples name. */
export const capturedGround: Claim = {
  id: SEEDED.claims.capturedGround,
  text: 'Azerbaijani forces have captured ground within Karabakh.',
  quote: null,
  speakerId: SEEDED.speakers.governmentOfAzerbaijan,
  speaker: { id: SEEDED.speakers.governmentOfAzerbaijan, name: 'Government of Azerbaijan' },
  sourceId: SEEDED.source.mailOnline,
  source: SEEDED_ARTICLE,
  claimedAt: '2020-10-21',
  context: 'The article reports the claim (attributed to \'Baku\') as of its publication date, 21 October 2020, during ' +
    'the fighting that erupted on 27 September.',
  topics: ['nagorno-karabakh', 'territory', 'azerbaijan', 'military'],
  language: 'en',
  status: 'unverified',
  reviewCount: 0,
  lastReviewedAt: null,
  createdAt: SEEDED_AT,
  updatedAt: SEEDED_AT,
  version: 1
}

export const claimUpdateInput: z.input<typeof claimUpdate> = {
  context: 'Baku\'s account, reported by Mail Online on 21 October 2020 while the fighting that erupted on ' +
    '27 September went on despite two ceasefire accords.',
  topics: ['nagorno-karabakh', 'territory', 'azerbaijan', 'military', 'ceasefire']
}

export const claimDeleteInput: z.input<typeof claimDelete> = {
  reason: 'Entered twice: the desk keeps the earlier record of this claim'
}

export const claimPageExample = {
  items: [newClaim],
  nextCursor: encodeCursor('-claimedAt', [newClaim.claimedAt, newClaim.id])
}
