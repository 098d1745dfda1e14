/** Examples for speakers: a seeded one (the `{id}` examples name it) and one the seed does not hold. */
import type { z } from 'zod'
import { encodeCursor } from '../../http/pagination.js'
import { SEEDED, SEEDED_AT } from '../../seeded.js'
import type { Speaker, speakerCreate, speakerUpdate } from './schemas.js'

export const pashinyan: Speaker = {
  id: SEEDED.speakers.pashinyan,
  name: 'Nikol Pashinyan',
  kind: 'person',
  description: 'Prime Minister of Armenia',
  aliases: ['Pashinyan'],
  createdAt: SEEDED_AT,
  updatedAt: SEEDED_AT,
  version: 1
}

export const speakerCreateInput: z.input<typeof speakerCreate> = {
  name: 'Zohrab Mnatsakanyan',
  kind: 'person',
  description: 'Foreign Minister of Armenia',
  aliases: ['Mnatsakanyan']
}

export const speakerUpdateInput: z.input<typeof speakerUpdate> = { description: 'Prime Minister of Armenia since May 2018' }

export const speakerPageExample = { items: [pashinyan], nextCursor: encodeCursor('id', [pashinyan.id]) }

/** The seeded speaker of the claim the review examples review. */
export const governmentOfAzerbaijan: Speaker = {
  id: SEEDED.speakers.governmentOfAzerbaijan,
  name: 'Government of Azerbaijan',
  kind: 'government',
  description: 'Government of the Republic of Azerbaijan',
  aliases: ['Baku', 'Azerbaijan'],
  createdAt: SEEDED_AT,
  updatedAt: SEEDED_AT,
  version: 1
}
