/**
 * Which methods a path supports, for `405 Method Not Allowed` with `Allow` (RFC 9110
 * §15.5.6): Fastify answers an unsupported method on a known path as "no route", and a
 * client deserves to hear that the path exists. Route patterns are collected as routes are
 * added; catch-all (`*`) routes such as CORS preflight and static files are left out, or
 * every unknown path would look known.
 */
import type { FastifyInstance } from 'fastify'

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** `/v1/claims/:id` → /^\/v1\/claims\/[^/]+\/?$/ (a trailing slash is ignored, as routing does). */
function patternOf (url: string): RegExp {
  const source = url.split('/').map((segment) => (segment.startsWith(':') ? '[^/]+' : escape(segment))).join('/')
  return new RegExp(`^${source.replace(/\/$/, '')}/?$`)
}

/** Collects routes from now on; the returned function lists the methods routed for a path (sorted, empty if none). */
export function trackAllowedMethods (app: FastifyInstance): (path: string) => string[] {
  const routes: Array<{ pattern: RegExp, methods: string[] }> = []
  app.addHook('onRoute', (route) => {
    if (route.url.includes('*')) return
    routes.push({ pattern: patternOf(route.url), methods: [route.method].flat() })
  })
  return (path) => [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))].sort()
}
