/**
 * Authentication and authorisation, declared per route: every `/v1` route must say which
 * role it needs (`config: { role }`), or the app refuses to start. The guard documents
 * that choice in OpenAPI too (bearer security, 401 and 403 responses), so code, docs and
 * the role matrix cannot disagree.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { mayAct, type Actor, type Role } from '../../core/context.js'
import { forbidden, unauthorized } from '../../http/problems.js'
import { problems } from '../../http/schemas.js'
import type { AuthFailures } from './failures.js'
import type { ApiKeysService } from './service.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role that may call this route; undefined for public routes. */
    role?: Role
  }
  interface FastifyRequest {
    /** The caller, set by the guard on every route that declares a role. */
    actor: Actor
  }
}

/** The token of an `Authorization: Bearer <token>` header, if the request has one. */
export function bearer (request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header === undefined) return undefined
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
  return match?.[1]
}

async function guard (app: FastifyInstance, opts: { apiKeys: Pick<ApiKeysService, 'known' | 'authenticate'>, authFailures: AuthFailures }) {
  app.decorateRequest('actor', null as unknown as Actor)

  app.addHook('onRoute', (route) => {
    const role = route.config?.role
    if (role === undefined) {
      if (route.url.startsWith('/v1')) throw new Error(`Route ${route.method} ${route.url} declares no role`)
      return
    }
    route.schema ??= {}
    route.schema.security = [{ bearerAuth: [] }]
    route.schema.response = { ...(route.schema.response as object), ...problems(401, 403, 429) }
  })

  // A callback hook: a key seen before is answered from memory, without a promise (every
  // request passes here); only a key not in the cache waits for the database.
  app.addHook('onRequest', (request, _reply, done) => {
    const needed = request.routeOptions.config.role
    if (needed === undefined) return done()
    // Before any key is looked at: a right guess must not get through once the address is throttled.
    const throttled = opts.authFailures.refusal(request.ip)
    if (throttled !== undefined) return done(throttled)
    const key = bearer(request)
    if (key === undefined) return done(unauthorized('Send an API key as "Authorization: Bearer <key>"'))
    const admit = (actor: Actor | undefined) => {
      if (actor === undefined) {
        opts.authFailures.failed(request.ip)
        return done(unauthorized('The API key is unknown or has been revoked'))
      }
      if (!mayAct(actor.role, needed)) {
        return done(forbidden(`This needs the ${needed} role; the key "${actor.name}" is ${actor.role}`))
      }
      request.actor = actor
      done()
    }
    const known = opts.apiKeys.known(key)
    if (known !== undefined) return admit(known)
    opts.apiKeys.authenticate(key).then(admit, done)
  })
}

export default fp(guard, { name: 'guard' })
