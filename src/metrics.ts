/**
 * Prometheus metrics at /metrics: request count and duration by route and status, claims by
 * status and the audit head, on a registry of this app's own (so several apps in one
 * process, as in tests, never share counters).
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

async function metrics (app: FastifyInstance) {
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
    collect () {
      for (const [status, n] of Object.entries(app.stores.stats.totals())) this.set({ status }, n)
    }
  })
  new Gauge({ // eslint-disable-line no-new -- registered on creation, read on scrape
    name: 'claimledger_audit_head_seq',
    help: 'Sequence number of the newest audit event',
    registers: [registry],
    collect () { this.set(app.stores.ledger.headSeq()) }
  })

  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, never the raw URL: ids in paths would explode the label set.
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: reply.statusCode }
    requests.inc(labels)
    duration.observe(labels, reply.elapsedTime / 1000)
    done()
  })

  app.get('/metrics', {
    schema: { tags: ['Service'], summary: 'Prometheus metrics (text exposition format)', hide: false }
  }, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()))
}

export default fp(metrics, { name: 'metrics' })
