/** Examples for appearances: the seeded claim of captured ground, repeated by another outlet the next day. */
import type { z } from 'zod'
import { SEEDED } from '../../seeded.js'
import type { Appearance } from './repository.js'
import type { appearanceCreate } from './schemas.js'

export const appearanceInput: z.input<typeof appearanceCreate> = {
  source: { title: 'Azerbaijan says its forces took more ground in Karabakh', publisher: 'Example Wire', kind: 'article', url: 'https://wire.example/2020/10/22/karabakh' },
  speakerId: SEEDED.speakers.governmentOfAzerbaijan,
  appearedAt: '2020-10-22',
  quote: 'Our forces have liberated more ground within Karabakh.'
}

export const appearanceExample: Appearance = {
  id: '01755072-3c41-7d2e-9a51-4f1e2a7c9b10',
  claimId: SEEDED.claims.capturedGround,
  source: { id: '01755072-3c40-7b7a-8f0e-2b6f3d9a1c55', title: 'Azerbaijan says its forces took more ground in Karabakh', url: 'https://wire.example/2020/10/22/karabakh' },
  speaker: { id: SEEDED.speakers.governmentOfAzerbaijan, name: 'Government of Azerbaijan' },
  appearedAt: '2020-10-22',
  url: null,
  quote: 'Our forces have liberated more ground within Karabakh.',
  createdAt: '2020-10-22T08:12:44.108Z'
}
