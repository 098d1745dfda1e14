import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { documentExample } from '../../http/examples.js'
import { problems } from '../../http/schemas.js'
import { speakerIdParams } from '../speakers/schemas.js'
import { claimStatus } from '../claims/schemas.js'
import { speakerRecordExample, statsExample } from './examples.js'
import { RECORD_LATEST, STATS_DAYS, TOP_SPEAKERS } from './service.js'

const stats = z.object({
  totals: z.object({
    claims: z.number().int().describe('Live (not deleted) claims'),
    unverified: z.number().int(),
    corroborated: z.number().int(),
    disputed: z.number().int(),
    reviews: z.number().int().describe('Reviews ever posted')
  }),
  reviewsPerDay: z.array(z.object({ date: z.string(), reviews: z.number().int() }))
    .describe(`The last ${STATS_DAYS} UTC days, oldest first, today last; days without reviews count 0`),
  topSpeakers: z.array(z.object({ id: z.string(), name: z.string(), claims: z.number().int() }))
    .describe(`The ${TOP_SPEAKERS} speakers with the most live claims; ties by name`)
}).meta({ id: 'Stats' })
documentExample(stats, statsExample)

const statusCounts = {
  claims: z.number().int().describe('Live (not deleted) claims'),
  unverified: z.number().int(),
  corroborated: z.number().int(),
  disputed: z.number().int()
}

const speakerRecord = z.object({
  speaker: z.object({ id: z.string(), name: z.string() }),
  totals: z.object(statusCounts).describe('The speaker\'s live claims by their current status'),
  shares: z.object({ corroborated: z.number(), disputed: z.number() }).nullable()
    .describe('Of the claims with a verdict (corroborated or disputed), the share of each, to three decimals; null while none has one'),
  latest: z.array(z.object({ claimId: z.string(), text: z.string(), verdict: claimStatus, reviewedAt: z.string() }))
    .describe(`The ${RECORD_LATEST} newest reviews of the speaker's live claims, newest first (a review back to unverified included)`),
  monthly: z.array(z.object({ month: z.string().describe('YYYY-MM of claimedAt'), ...statusCounts }))
    .describe('The same counts per month the claims were made, oldest first; months without claims are absent')
}).meta({ id: 'SpeakerRecord' })
documentExample(speakerRecord, speakerRecordExample)

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/v1/stats', {
    config: { role: 'viewer' },
    schema: {
      tags: ['Claims'],
      summary: 'Totals by status, reviews per day (last 30 days) and the top speakers by claims',
      response: { 200: stats }
    }
  }, async () => await app.services.stats.stats())

  app.get('/v1/speakers/:id/record', {
    config: { role: 'viewer' },
    schema: {
      tags: ['Speakers'],
      summary: 'A speaker\'s verdict record: claims by status, shares, newest verdicts, a monthly series',
      description: 'The scorecard a newsroom publishes, computed from live data on every request (deleted claims do not ' +
        'count). It reads the speaker\'s own live claims through an index that starts with the speaker and their reviews through the ' +
        '(claim, time) index: its cost is the speaker\'s number of claims, whatever the size of the store.',
      params: speakerIdParams,
      response: { 200: speakerRecord, ...problems(404) }
    }
  }, async (request) => await app.services.stats.speakerRecord(await app.services.speakers.require(request.params.id)))
}

export default routes
