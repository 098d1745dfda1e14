/**
 * One example problem per error status, shown on every operation's response of that status
 * (openapi-tidy.ts puts them there): what the service really answers, about the seeded article.
 */
import { DESK } from '../modules/auth/examples.js'
import { SEEDED } from '../seeded.js'
import { exampleOf } from './examples.js'
import { PROBLEM_BASE } from './problems.js'
import { problemSchema } from './schemas.js'

const claim = SEEDED.claims.capturedGround
const requestId = 'eead3dc5-7ab2-4d8c-9b96-714a93799fc1'

const problem = (status: number, slug: string, title: string, detail: string, instance: string, extra: object = {}) =>
  exampleOf(problemSchema, { type: PROBLEM_BASE + slug, title, status, detail, instance, requestId, ...extra })

export const problemExamples: Record<number, unknown> = {
  400: problem(400, 'validation', 'Invalid request', 'body/claimedAt must not be in the future', '/v1/claims',
    { errors: [{ path: '/claimedAt', message: 'must not be in the future' }] }),
  401: problem(401, 'unauthorized', 'Unauthorized', 'Send an API key as "Authorization: Bearer <key>"', '/v1/claims'),
  403: problem(403, 'forbidden', 'Forbidden', 'This needs the editor role; the key "Karabakh desk review script" is reviewer',
    '/v1/claims'),
  404: problem(404, 'not-found', 'Not found', 'Claim 01754b7a-5fa1-7246-805e-500c7539beb7 does not exist',
    '/v1/claims/01754b7a-5fa1-7246-805e-500c7539beb7'),
  409: problem(409, 'duplicate', 'Already exists', `Claim ${claim} already records this speaker saying this on 2020-10-21`,
    '/v1/claims', { existingId: claim }),
  410: problem(410, 'gone', 'Gone', `Claim ${claim} was deleted at 2020-10-22T11:20:03.118Z by Karabakh desk`,
    `/v1/claims/${claim}`, {
      deletedAt: '2020-10-22T11:20:03.118Z',
      deletedBy: { id: DESK.id, name: DESK.name },
      reason: 'Entered twice: the desk keeps the earlier record of this claim'
    }),
  412: problem(412, 'precondition-failed', 'Precondition failed', 'Claim is at version 2, not 1: reload it and retry',
    `/v1/claims/${claim}/reviews`, { currentVersion: 2 }),
  413: problem(413, 'payload-too-large', 'Payload too large', "The body is over this endpoint's 1 MiB limit; nothing was written", '/v1/reviews/bulk'),
  415: problem(415, 'unsupported-media-type', 'Unsupported media type',
    'This endpoint takes application/json bodies (POST /v1/claims/import also takes application/x-ndjson and text/csv)',
    '/v1/claims'),
  422: problem(422, 'unprocessable', 'Unprocessable request',
    'A corroborated verdict needs at least one evidence item (evidence: [{ url, stance }])', `/v1/claims/${claim}/reviews`,
    { errors: [{ path: '/evidence', message: 'must have at least one item for a corroborated verdict' }] }),
  429: problem(429, 'rate-limited', 'Too many requests', 'This API key may make 1200 requests a minute; retry in 17 s',
    '/v1/claims'),
  503: problem(503, 'not-ready', 'Service unavailable', 'the database cannot be read', '/ready'),
  507: problem(507, 'insufficient-storage', 'Insufficient storage',
    'The database\'s disk is full, so nothing was written; retry once an operator has freed space', '/v1/claims')
}
