import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { exemplified } from './http/examples.js'
import { problems } from './http/schemas.js'
import { Problem } from './http/problems.js'

const tags = ['Service']

/** Liveness and readiness for load balancers and orchestrators; no key needed. */
const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/health', {
    schema: { tags, summary: 'Liveness: the process answers', response: { 200: exemplified(z.object({ status: z.literal('ok') }), { status: 'ok' }) } }
  }, async () => ({ status: 'ok' as const }))

  app.get('/ready', {
    schema: {
      tags,
      summary: 'Readiness: the database is reachable and fully migrated (else 503)',
      response: { 200: exemplified(z.object({ status: z.literal('ready') }), { status: 'ready' }), ...problems(503) }
    }
  }, async () => {
    const problem = app.stores.readiness()
    if (problem !== undefined) throw new Problem(503, 'not-ready', 'Service unavailable', problem)
    return { status: 'ready' as const }
  })
}

export default routes
