/**
 * What stands between the API and the open internet: per-key rate limits, CORS for the
 * configured browser origins, and security headers (with a CSP the Swagger UI still works
 * under: its own routes send hashes for their inline scripts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'
import type { Actor } from '../core/context.js'
import type { Config } from '../config.js'
import { tooManyRequests } from './problems.js'

/** Headers a browser client may read (CORS exposes none of these by default). */
const EXPOSED = ['ETag', 'Location', 'Link', 'X-Request-Id', 'Idempotent-Replayed', 'Retry-After',
  'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']

const HELMET: HelmetOptions = {
  // No upgrade-insecure-requests: served as plain http on 127.0.0.1, the Swagger UI's own
  // assets would be rewritten to https and fail. TLS belongs to the proxy in front.
  contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } }
}

/**
 * The headers helmet sets, worked out once. They depend on its options only (no nonces), and
 * @fastify/helmet rebuilt helmet's middleware, CSP parsing included, on every request: 5% of
 * the server's CPU on GET /v1/claims/:id (bench: --cpu-prof).
 */
function securityHeaders (options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {}
  const response = {
    setHeader: (name: string, value: string | number) => { headers[name.toLowerCase()] = String(value) },
    removeHeader: (name: string) => { delete headers[name.toLowerCase()] }
  }
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error !== undefined) throw error
  })
  return headers
}

async function protection (app: FastifyInstance, opts: { config: Config }) {
  const headers = securityHeaders(HELMET)
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers)
    done()
  })

  // Without configured origins there is nothing to allow, and @fastify/cors would still merge
  // its options on every request (7% of a GET's CPU): it is not registered at all.
  if (opts.config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...opts.config.corsOrigins],
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Request-Id'],
      exposedHeaders: EXPOSED,
      maxAge: 600
    })
  }

  // Counted per API key, after authentication (so the key is known); public routes are free.
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: opts.config.rateLimitPerMinute,
    timeWindow: 60_000,
    allowList: (request) => request.routeOptions.config.role === undefined,
    // Public routes have no actor (they are on the allow list anyway, which is checked after this).
    keyGenerator: (request) => (request.actor as Actor | null)?.id ?? request.ip,
    errorResponseBuilder: (_request, context) => tooManyRequests(
      `This API key may make ${context.max} requests a minute; retry in ${Math.ceil(context.ttl / 1000)} s`,
      Math.ceil(context.ttl / 1000))
  })
}

// Registered before the guard: its headers (CORS included) must be on a 401 or 403 too, so a
// browser client can read why it was refused.
export default fp(protection, { name: 'protection' })
