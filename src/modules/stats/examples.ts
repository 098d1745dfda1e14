/**
 * The stats on 22 October 2020 in the examples' story: the 17 seeded claims and the new one,
 * after the single review and the bulk review of two claims.
 */
import { SEEDED } from '../../seeded.js'
import { lastDays, STATS_DAYS } from './service.js'

const speakers = SEEDED.speakers

export const statsExample = {
  totals: { claims: 18, unverified: 17, corroborated: 1, disputed: 0, reviews: 3 },
  reviewsPerDay: lastDays(STATS_DAYS, Date.parse('2020-10-22T12:00:00.000Z'))
    .map((date) => ({ date, reviews: date === '2020-10-22' ? 3 : 0 })),
  topSpeakers: [
    { id: speakers.governmentOfAzerbaijan, name: 'Government of Azerbaijan', claims: 4 },
    { id: speakers.pashinyan, name: 'Nikol Pashinyan', claims: 4 },
    { id: speakers.governmentOfArmenia, name: 'Government of Armenia', claims: 3 },
    { id: speakers.aliyev, name: 'Ilham Aliyev', claims: 2 },
    { id: speakers.russianForeignMinistry, name: 'Ministry of Foreign Affairs of Russia', claims: 2 },
    { id: speakers.nagdalyan, name: 'Anna Nagdalyan', claims: 1 },
    { id: speakers.governmentOfIran, name: 'Government of Iran', claims: 1 },
    { id: speakers.azerbaijaniForeignMinistry, name: 'Ministry of Foreign Affairs of Azerbaijan', claims: 1 }
  ]
}

/** Government of Azerbaijan's record on 22 October 2020 in the examples' story: its four seeded claims, one corroborated. */
export const speakerRecordExample = {
  speaker: { id: speakers.governmentOfAzerbaijan, name: 'Government of Azerbaijan' },
  totals: { claims: 4, unverified: 3, corroborated: 1, disputed: 0 },
  shares: { corroborated: 1, disputed: 0 },
  latest: [{
    claimId: SEEDED.claims.capturedGround,
    text: 'Azerbaijani forces have captured ground within Karabakh.',
    verdict: 'corroborated' as const,
    reviewedAt: '2020-10-22T10:15:00.000Z'
  }],
  monthly: [{ month: '2020-10', claims: 4, unverified: 3, corroborated: 1, disputed: 0 }]
}
