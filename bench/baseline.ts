/**
 * The yardstick: bare Fastify answering one constant JSON object (a real claim, so the
 * response is the same size and shape). No auth, no validation, no database: whatever the
 * real server costs above this is what Claimledger itself adds.
 */
import Fastify, { type FastifyInstance } from 'fastify'

export const BASELINE_PATH = '/claim'

export function buildBaseline (body: unknown): FastifyInstance {
  const app = Fastify({ logger: false })
  // Serialised per request with JSON.stringify, as any handler without a response schema is.
  app.get(BASELINE_PATH, async () => body)
  return app
}
