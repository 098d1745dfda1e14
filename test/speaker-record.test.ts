/**
 * GET /v1/speakers/{id}/record: a speaker's scorecard from live data — counts by status, the
 * shares of the verdicts, the newest verdicts, a monthly series — and its cost bounded by the
 * speaker's own claims (EXPLAIN: the speaker's index range, never a scan of claims).
 */
import t from 'tap'
import { SEEDED } from '../src/seeded.js'
import { createSqliteStatsRepository } from '../src/modules/stats/sqlite.js'
import { loadSeeds } from '../src/seed.js'
import { claimInput, harness, sqliteOnly } from './helpers.js'

const baku = SEEDED.speakers.governmentOfAzerbaijan
const evidence = [{ url: 'https://example.org/evidence', stance: 'supports' }]

t.test('counts by status, shares, newest verdicts and months, from live data', async (t) => {
  const h = await harness(t)
  await loadSeeds(h.app.services)
  const record = async () => (await h.as('viewer')('GET', `/v1/speakers/${baku}/record`)).data
  t.match(await record(), {
    speaker: { id: baku, name: 'Government of Azerbaijan' },
    totals: { claims: 4, unverified: 4, corroborated: 0, disputed: 0 },
    shares: null,
    latest: [],
    monthly: [{ month: '2020-10', claims: 4, unverified: 4, corroborated: 0, disputed: 0 }]
  }, 'the seeded article: four claims, none reviewed')

  const review = async (id: string, verdict: string) => await h.as('reviewer')('POST', `/v1/claims/${id}/reviews`,
    { verdict, note: `${verdict} by the desk`, evidence: verdict === 'unverified' ? [] : evidence })
  await review(SEEDED.claims.capturedGround, 'corroborated')
  await review(SEEDED.claims.azerbaijaniCivilianCasualties, 'disputed')
  const older = await h.as('editor')('POST', '/v1/claims', claimInput({ text: 'An older statement', speaker: undefined, speakerId: baku, claimedAt: '2020-09-28' }))
  await review(older.data.id, 'disputed')
  const deleted = await h.as('editor')('POST', '/v1/claims', claimInput({ text: 'Withdrawn later', speaker: undefined, speakerId: baku, claimedAt: '2020-09-29' }))
  await review(deleted.data.id, 'corroborated')
  await h.as('editor')('DELETE', `/v1/claims/${deleted.data.id}`)

  const now = await record()
  t.same(now.totals, { claims: 5, unverified: 2, corroborated: 1, disputed: 2 }, 'live claims only: the deleted one is gone')
  t.same(now.shares, { corroborated: 0.333, disputed: 0.667 }, 'of the three with a verdict')
  t.same(now.latest.map((v: { claimId: string, verdict: string }) => [v.claimId, v.verdict]),
    [[older.data.id, 'disputed'], [SEEDED.claims.azerbaijaniCivilianCasualties, 'disputed'], [SEEDED.claims.capturedGround, 'corroborated']],
    'newest first, the deleted claim\'s verdict not among them')
  t.ok(now.latest.every((v: { reviewedAt: string, text: string }) => /^\d{4}-\d\d-\d\dT/.test(v.reviewedAt) && v.text.length > 0))
  t.same(now.monthly, [
    { month: '2020-09', claims: 1, unverified: 0, corroborated: 0, disputed: 1 },
    { month: '2020-10', claims: 4, unverified: 2, corroborated: 1, disputed: 1 }
  ], 'by the month the claims were made, oldest first')
})

t.test('an unknown or malformed speaker is 404; a viewer key is needed', async (t) => {
  const h = await harness(t)
  t.equal((await h.as('viewer')('GET', `/v1/speakers/${baku}/record`)).statusCode, 404)
  t.equal((await h.as('viewer')('GET', '/v1/speakers/not-an-id/record')).statusCode, 404)
  t.equal((await h.as('none')('GET', `/v1/speakers/${baku}/record`)).statusCode, 401)
})

t.test('EXPLAIN: the speaker\'s range of claims and each claim\'s reviews, never a scan of claims', sqliteOnly, async (t) => {
  const h = await harness(t)
  const [months, verdicts] = createSqliteStatsRepository(h.database.db).speakerPlans() as [string[], string[]]
  t.ok(months.some((step) => /SEARCH claims USING (COVERING )?INDEX claims_(duplicate|speaker_claimed_at)_idx \(speaker_id=\?\)/.test(step)), months.join(' | '))
  t.ok(verdicts.some((step) => /SEARCH claims USING (COVERING )?INDEX claims_(duplicate|speaker_claimed_at)_idx \(speaker_id=\?\)/.test(step)), verdicts.join(' | '))
  t.ok(verdicts.some((step) => /SEARCH reviews USING (COVERING )?INDEX reviews_claim_idx \(claim_id=\?\)/.test(step)), verdicts.join(' | '))
  t.notOk([...months, ...verdicts].some((step) => /SCAN (claims|reviews)\b/.test(step)), 'no full scan')
})
