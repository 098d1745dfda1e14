/**
 * What stands between the API and the open internet: per-key rate limits, CORS for the
 * configured browser origins, and security headers (with a CSP the Swagger UI still works
 * under: its own routes send hashes for their inline scripts).
 */
import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Actor } from '../auth/roles.js'
import type { Config } from '../config.js'
import { Problem } from './problems.js'

/** Headers a browser client may read (CORS exposes none of these by default). */
const EXPOSED = ['ETag', 'Location', 'Link', 'X-Request-Id', 'Idempotent-Replayed', 'Retry-After',
  'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']

async function protection (app: FastifyInstance, opts: { config: Config }) {
  await app.register(helmet, {
    global: true,
    // No upgrade-insecure-requests: served as plain http on 127.0.0.1, the Swagger UI's own
    // assets would be rewritten to https and fail. TLS belongs to the proxy in front.
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } }
  })

  await app.register(cors, {
    origin: opts.config.corsOrigins.length === 0 ? false : [...opts.config.corsOrigins],
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Request-Id'],
    exposedHeaders: EXPOSED,
    maxAge: 600
  })

  // Counted per API key, after authentication (so the key is known); public routes are free.
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: opts.config.rateLimitPerMinute,
    timeWindow: 60_000,
    allowList: (request) => request.routeOptions.config.role === undefined,
    // Public routes have no actor (they are on the allow list anyway, which is checked after this).
    keyGenerator: (request) => (request.actor as Actor | null)?.id ?? request.ip,
    errorResponseBuilder: (_request, context) => new Problem(429, 'rate-limited', 'Too many requests',
      `This API key may make ${context.max} requests a minute; retry in ${Math.ceil(context.ttl / 1000)} s`,
      {}, { 'retry-after': String(Math.ceil(context.ttl / 1000)) })
  })
}

export default fp(protection, { name: 'protection', dependencies: ['guard'] })
