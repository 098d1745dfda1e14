/**
 * Examples for reviews, made with the desk's key on seeded claims (which is why they succeed as
 * documented on a freshly seeded database). No `expectedVersion` and no If-Match: a second
 * "Try it out" must not fail on a version the first one moved on.
 */
import type { z } from 'zod'
import { DESK } from '../auth/examples.js'
import { capturedGround } from '../claims/examples.js'
import type { Claim } from '../claims/schemas.js'
import { SEEDED } from '../../seeded.js'
import { mailOnline } from '../sources/examples.js'
import { governmentOfAzerbaijan } from '../speakers/examples.js'
import { claimReview } from './claimreview.js'
import type { bulkReview, Review, reviewCreate } from './schemas.js'

const reviewer = { id: DESK.id, name: DESK.name }

const evidence = [{
  url: 'https://en.wikipedia.org/wiki/2020_Nagorno-Karabakh_war',
  title: '2020 Nagorno-Karabakh war (Wikipedia), territorial changes',
  stance: 'supports' as const
}]

const note = 'Both sides\' statements and independent reporting record Azerbaijani advances in the south of Karabakh ' +
  'since the fighting erupted on 27 September.'

export const reviewCreateInput: z.input<typeof reviewCreate> = {
  verdict: 'corroborated',
  note,
  evidence
}

const reviewedAt = '2020-10-22T08:41:07.512Z'

export const review: Review = {
  id: '01754f78-06b8-70ff-9317-1efe76425f17',
  claimId: SEEDED.claims.capturedGround,
  verdict: 'corroborated',
  previousStatus: 'unverified',
  note,
  evidence,
  reviewer,
  clientRef: null,
  createdAt: reviewedAt
}

/** The seeded claim after `review`. */
export const reviewedClaim: Claim = {
  ...capturedGround,
  status: 'corroborated',
  reviewCount: 1,
  lastReviewedAt: reviewedAt,
  updatedAt: reviewedAt,
  version: 2
}

const bulkNotes = {
  armenianDeaths: 'Yerevan\'s own count, as reported by Mail Online; no independent tally of the dead yet.',
  azerbaijaniCivilianCasualties: 'Baku\'s own figure; Baku has not disclosed its military losses, and no independent ' +
    'count exists yet.'
}

export const bulkReviewInput: z.input<typeof bulkReview> = {
  atomic: true,
  items: [
    { claimId: SEEDED.claims.armenianDeaths, verdict: 'unverified', note: bulkNotes.armenianDeaths, clientRef: 'casualty-desk-2020-10-22:row-2' },
    {
      claimId: SEEDED.claims.azerbaijaniCivilianCasualties,
      verdict: 'unverified',
      note: bulkNotes.azerbaijaniCivilianCasualties,
      clientRef: 'casualty-desk-2020-10-22:row-3'
    }
  ]
}

const bulkAt = '2020-10-22T09:15:30.204Z'
const appliedItem = (index: number, id: string, claimId: keyof typeof bulkNotes, clientRef: string) => ({
  index,
  claimId: SEEDED.claims[claimId],
  ok: true,
  review: {
    id,
    claimId: SEEDED.claims[claimId],
    verdict: 'unverified' as const,
    previousStatus: 'unverified' as const,
    note: bulkNotes[claimId],
    evidence: [],
    reviewer,
    clientRef,
    createdAt: bulkAt
  }
})

export const bulkReviewResult = {
  applied: 2,
  replayed: 0,
  results: [
    appliedItem(0, '01754f97-801c-7507-933a-5afb640e7d3e', 'armenianDeaths', 'casualty-desk-2020-10-22:row-2'),
    appliedItem(1, '01754f97-801d-759d-bfe0-35e4163746e7', 'azerbaijaniCivilianCasualties', 'casualty-desk-2020-10-22:row-3')
  ]
}

/** `review` published as schema.org ClaimReview, with the default publisher and no PUBLISHER_URL. */
export const claimReviewExample = claimReview(reviewedClaim, review, governmentOfAzerbaijan, mailOnline,
  { name: 'Claimledger', url: undefined }, `http://127.0.0.1:3000/v1/claims/${reviewedClaim.id}`)
