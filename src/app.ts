/**
 * buildApp(config, engine): the whole HTTP application, with no side effects on import
 * and none outside the database it is given (SQLite or PostgreSQL). `server.ts` listens; tests inject.
 */
import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import secureJson from 'secure-json-parse'
import { z } from 'zod'
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import auditRoutes from './modules/audit/routes.js'
import { createAuthFailures } from './modules/auth/failures.js'
import guard from './modules/auth/guard.js'
import authRoutes from './modules/auth/routes.js'
import claimRoutes from './modules/claims/routes.js'
import transferRoutes from './modules/claims/transfer-routes.js'
import matchingRoutes from './modules/matching/routes.js'
import appearanceRoutes from './modules/appearances/routes.js'
import type { Config } from './config.js'
import health from './health.js'
import { badRequest, installProblemHandlers, sendProblem } from './http/problems.js'
import protection from './http/protection.js'
import { createSerializerCompiler } from './http/serializer.js'
import { decodeUtf8 } from './core/utf8.js'
import docs from './http/swagger.js'
import metrics from './metrics.js'
import reviewRoutes from './modules/reviews/routes.js'
import sourceRoutes from './modules/sources/routes.js'
import speakerRoutes from './modules/speakers/routes.js'
import statsRoutes from './modules/stats/routes.js'
import { createServices, type AnyEngine, type Services } from './modules/container.js'
import { packageVersion } from './version.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    services: Services
  }
}

export const JSON_BODY_LIMIT = 1024 * 1024

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

export interface BuildOptions {
  logger?: FastifyServerOptions['logger']
  /** Also check every response against its zod schema (tests; see http/serializer.ts). */
  validateResponses?: boolean
}

export async function buildApp (config: Config, engine: AnyEngine, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: JSON_BODY_LIMIT,
    // A whole request (a 50 MiB import included) must arrive within two minutes.
    requestTimeout: 120_000,
    // Echo a well-formed incoming X-Request-Id (so a caller can trace its own ids), else mint one.
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id']
      // randomUUID draws from a cached entropy pool: a v7 id per request (one getRandomValues
      // call each) was 2% of the server's CPU on a GET (bench: --cpu-prof).
      return typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID()
    },
    // maxParamLength: the router's default (100) answered a longer id with 400, where the
    // contract says 404 for any id that is not a UUID. It guards regex params, which no route
    // has; Node's header size limit (16 KiB) already bounds a URL.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: Number.MAX_SAFE_INTEGER },
    // Errors raised before routing (a malformed URL) get the same problem+json as any other.
    // (A reply is thenable, so the rule takes it for a promise; Fastify sends it.)
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id)
      return sendProblem(request, reply, badRequest(error.code === 'FST_ERR_BAD_URL' ? 'The URL is malformed' : error.message))
    }
  }).withTypeProvider<ZodTypeProvider>()

  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(createSerializerCompiler({ validate: options.validateResponses ?? false }))
  installProblemHandlers(app)

  // JSON is the only body type (anything else is 415). An empty body is "no body" (so an optional body may be left out whatever the
  // Content-Type), and prototype-polluting keys are refused rather than parsed.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    let text: string
    try {
      text = decodeUtf8(body as Buffer)
    } catch (error) {
      return done(error as Error, undefined)
    }
    if (text.trim() === '') return done(null, undefined)
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }))
    } catch (error) {
      const message = error instanceof SyntaxError && !/prototype/.test(error.message)
        ? 'The request body is not valid JSON'
        : 'The request body contains a forbidden key (__proto__ or constructor.prototype)'
      done(Object.assign(new SyntaxError(message), { statusCode: 400 }), undefined)
    }
  })

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })

  // An empty query value (`?speakerId=`) counts as missing, like an empty-after-trim body field.
  app.addHook('preValidation', (request, _reply, done) => {
    const query = request.query as Record<string, unknown>
    for (const name in query) {
      const value = query[name]
      if (typeof value === 'string' && value.trim() === '') delete query[name]
    }
    done()
  })

  // Unknown query parameters are rejected everywhere, also on routes that take none.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/v1') && route.schema !== undefined && route.schema.querystring === undefined) {
      route.schema.querystring = z.strictObject({})
    }
  })

  app.decorate('config', config)
  app.decorate('services', createServices(engine))

  await app.register(protection, { config })
  // Shared by the guard and /metrics: a wrong API key and a wrong metrics token both count.
  const authFailures = createAuthFailures({ perMinute: config.authFailuresPerMinute })
  await app.register(guard, { apiKeys: app.services.apiKeys, authFailures })
  await app.register(docs, { version: packageVersion })
  await app.register(metrics, { token: config.metricsToken, authFailures })
  await app.register(health)
  await app.register(authRoutes)
  await app.register(speakerRoutes)
  await app.register(sourceRoutes)
  await app.register(claimRoutes)
  await app.register(transferRoutes)
  await app.register(matchingRoutes)
  await app.register(appearanceRoutes)
  await app.register(reviewRoutes)
  await app.register(statsRoutes)
  await app.register(auditRoutes)
  return app
}
