/**
 * Prometheus metrics at /metrics: request count and duration by route and status, claims by
 * status and the audit head, on a registry of this app's own (so several apps in one
 * process, as in tests, never share counters). Every gauge is read in constant time (claims
 * by status from counters the database keeps), so scrapes cannot slow the API down; with
 * METRICS_TOKEN set, only a scraper holding the token may read them.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import { z } from 'zod'
import type { AuthFailures } from './modules/auth/failures.js'
import { bearer } from './modules/auth/guard.js'
import { exemplified } from './http/examples.js'
import { unauthorized } from './http/problems.js'
import { problems } from './http/schemas.js'

/** A few lines of a scrape, as documented. */
const METRICS_EXAMPLE = [
  '# HELP claimledger_claims Live claims by status',
  '# TYPE claimledger_claims gauge',
  'claimledger_claims{status="unverified"} 16',
  'claimledger_claims{status="corroborated"} 1',
  'claimledger_claims{status="disputed"} 0',
  '# HELP claimledger_audit_head_seq Sequence number of the newest audit event',
  '# TYPE claimledger_audit_head_seq gauge',
  'claimledger_audit_head_seq 31',
  ''
].join('\n')

const sha256 = (text: string) => createHash('sha256').update(text).digest()

/** Lets a request through only with `Authorization: Bearer <token>`; wrong tokens count as failed authentications. */
function requireToken (token: string, authFailures: AuthFailures): onRequestHookHandler {
  // Compared as hashes, in constant time: neither length nor content leaks through timing.
  const expected = sha256(token)
  return (request, _reply, done) => {
    const throttled = authFailures.refusal(request.ip)
    if (throttled !== undefined) return done(throttled)
    const given = bearer(request)
    if (given !== undefined && timingSafeEqual(sha256(given), expected)) return done()
    if (given !== undefined) authFailures.failed(request.ip)
    done(unauthorized('This server requires its METRICS_TOKEN as "Authorization: Bearer <token>" to scrape /metrics'))
  }
}

async function metrics (app: FastifyInstance, opts: { token: string | undefined, authFailures: AuthFailures }) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const labelNames = ['method', 'route', 'status_code'] as const
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests served', labelNames, registers: [registry] })
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests',
    labelNames,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry]
  })
  new Gauge({ // eslint-disable-line no-new -- registered on creation, read on scrape
    name: 'claimledger_claims',
    help: 'Live claims by status',
    labelNames: ['status'],
    registers: [registry],
    async collect () {
      for (const [status, n] of Object.entries(await app.services.stats.totals())) this.set({ status }, n)
    }
  })
  new Gauge({ // eslint-disable-line no-new -- registered on creation, read on scrape
    name: 'claimledger_audit_head_seq',
    help: 'Sequence number of the newest audit event',
    registers: [registry],
    async collect () { this.set(await app.services.ledger.headSeq()) }
  })

  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, never the raw URL: ids in paths would explode the label set.
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: reply.statusCode }
    requests.inc(labels)
    duration.observe(labels, reply.elapsedTime / 1000)
    done()
  })

  app.get('/metrics', {
    onRequest: opts.token === undefined ? [] : [requireToken(opts.token, opts.authFailures)],
    schema: {
      tags: ['Service'],
      summary: 'Prometheus metrics (text exposition format)',
      description: 'Open to anyone who can reach it, unless the server sets METRICS_TOKEN: then only with ' +
        '`Authorization: Bearer <METRICS_TOKEN>` (401 otherwise; API keys do not work here). Wrong tokens count ' +
        'towards the failed authentications an address may make a minute (429 past them). Every value is read in ' +
        'constant time, so scrapes cost the same whatever the number of claims.',
      security: [{}, { bearerAuth: [] }],
      response: {
        200: {
          description: 'The metrics',
          content: { 'text/plain': { schema: exemplified(z.string().describe('Prometheus text format 0.0.4'), METRICS_EXAMPLE) } }
        },
        ...problems(401, 429)
      }
    }
  }, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()))
}

export default fp(metrics, { name: 'metrics' })
