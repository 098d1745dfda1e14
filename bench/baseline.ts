/**
 * The yardstick: bare Fastify answering constant JSON objects (a real claim, a real list
 * page, so each response is the same size and shape as the real one). No auth, no
 * validation, no database: whatever the real server costs above this is what Claimledger
 * itself adds.
 */
import Fastify, { type FastifyInstance } from 'fastify'

/** The claim's path; the list page's is BASELINE_PAGE_PATH. */
export const BASELINE_PATH = '/claim'
export const BASELINE_PAGE_PATH = '/page'

/** `bodies`: path → the JSON it answers. */
export function buildBaseline (bodies: Record<string, unknown>): FastifyInstance {
  const app = Fastify({ logger: false })
  // Serialised per request with JSON.stringify, as any handler without a response schema is.
  for (const [path, body] of Object.entries(bodies)) app.get(path, async () => body)
  return app
}
