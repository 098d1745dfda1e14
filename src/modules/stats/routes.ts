import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { documentExample } from '../../http/examples.js'
import { statsExample } from './examples.js'
import { STATS_DAYS, TOP_SPEAKERS } from './service.js'

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

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/v1/stats', {
    config: { role: 'viewer' },
    schema: {
      tags: ['Claims'],
      summary: 'Totals by status, reviews per day (last 30 days) and the top speakers by claims',
      response: { 200: stats }
    }
  }, async () => await app.services.stats.stats())
}

export default routes
