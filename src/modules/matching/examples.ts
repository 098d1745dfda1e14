/** Examples for matching: a paraphrase of a seeded claim, found with the reasons why. */
import type { z } from 'zod'
import { capturedGround } from '../claims/examples.js'
import type { matchPage, matchQuery } from './schemas.js'

/** What a reporter might paste: the seeded claim in other words, its speaker by its nickname. */
export const matchInput: z.input<typeof matchQuery> = {
  text: 'Baku says Azerbaijani troops have seized ground within Karabakh',
  limit: 3
}

export const matchResult: z.input<typeof matchPage> = {
  items: [{
    claim: capturedGround,
    score: 0.91,
    reasons: [
      { kind: 'terms', matched: ['azerbaijani', 'troops', 'seized', 'ground', 'within', 'karabakh'], missing: [], detail: '6 of 6 words agree' },
      { kind: 'speaker', same: true, detail: 'same speaker (Government of Azerbaijan)' }
    ],
    latestReview: null
  }]
}
