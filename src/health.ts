import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { FAULT_MEMORY_MS } from './db/watch.js'
import { exemplified } from './http/examples.js'
import { problems } from './http/schemas.js'
import { Problem } from './http/problems.js'

const faultSeconds = FAULT_MEMORY_MS / 1000

const tags = ['Service']

/** Liveness and readiness for load balancers and orchestrators; no key needed. */
const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/health', {
    schema: { tags, summary: 'Liveness: the process answers', response: { 200: exemplified(z.object({ status: z.literal('ok') }), { status: 'ok' }) } }
  }, async () => ({ status: 'ok' as const }))

  app.get('/ready', {
    schema: {
      tags,
      summary: 'Readiness: the database is reachable, fully migrated and can take writes (else 503)',
      description: '503 problem+json, with the reason in `detail`, when the database cannot be read or is not fully ' +
        'migrated; when its file was deleted or replaced since the service opened it, or is read-only; when its disk ' +
        'has less free space than `DATABASE_MIN_FREE_MB`; or when a write failed on storage (disk full, I/O error, ' +
        `read-only, damaged) in the last ${faultSeconds} seconds and none has succeeded since. That last reason ` +
        `clears itself after ${faultSeconds} seconds, so that an instance taken out of rotation is offered traffic ` +
        'again: if the storage is still failing, the next write fails it again. Each check is one system call or ' +
        'one indexed query.',
      response: { 200: exemplified(z.object({ status: z.literal('ready') }), { status: 'ready' }), ...problems(503) }
    }
  }, async () => {
    const problem = await app.services.readiness()
    if (problem !== undefined) throw new Problem(503, 'not-ready', 'Service unavailable', problem)
    return { status: 'ready' as const }
  })
}

export default routes
