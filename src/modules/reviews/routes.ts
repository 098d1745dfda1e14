import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { claimIdParams } from '../claims/schemas.js'
import { writeContext } from '../../http/context.js'
import { etagOf, ifMatchVersion } from '../../http/etag.js'
import { afterId, idPage, linkNext } from '../../http/pagination.js'
import { Conflict, NotFound } from '../../core/errors.js'
import { itemError } from '../../http/problems.js'
import { ifMatchHeaders, problems, uuid, wellFormedString } from '../../http/schemas.js'
import { claimReview, RATINGS } from './claimreview.js'
import { bulkReview as bulkReviewService } from './bulk.js'
import { bulkReview, bulkReviewResponse, claimReviewDocument, review, reviewCreate, reviewCreated, reviewListQuery, reviewPage } from './schemas.js'

const bulkHeaders = z.looseObject({
  'idempotency-key': wellFormedString().regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 printable ASCII characters').optional()
    .describe('Makes the request safe to retry: same key + same body within 24 h → the stored response')
})

const tags = ['Reviews']

const routes: FastifyPluginAsyncZod = async (app) => {
  const { claims, reviews, speakers, sources } = app.services

  app.post('/v1/claims/:id/reviews', {
    config: { role: 'reviewer' },
    schema: {
      tags,
      summary: 'Review a claim: set its status to the verdict, with a note and evidence',
      description: '`corroborated` and `disputed` need at least one evidence item (else 422). The claim\'s ' +
        '`status`, `version`, `reviewCount` and `lastReviewedAt` change in the same transaction as the review ' +
        'and its `claim.reviewed` audit event. `If-Match: "<claim version>"` makes it conditional (412 when ' +
        'another change came first). The reviewer is the calling key. Reviews are never edited or deleted. ' +
        'The response `ETag` is the claim\'s new version. With a `clientRef` this key applied before, nothing is ' +
        'applied again: 200 with that review and the claim as it is now, even if deleted since ' +
        '(`Idempotent-Replayed: true`, `Location` of that review; checked before If-Match, since the claim has ' +
        'moved on), or 409 with its `existingId` if this request differs.',
      params: claimIdParams,
      headers: ifMatchHeaders,
      body: reviewCreate,
      response: { 201: reviewCreated, 200: reviewCreated, ...problems(400, 404, 409, 410, 412, 422) }
    }
  }, async (request, reply) => {
    const result = await reviews.create(writeContext(request), request.params.id, request.body, ifMatchVersion(request))
    if (result.replayed) reply.header('idempotent-replayed', 'true')
    return reply.code(result.replayed ? 200 : 201)
      .header('location', `/v1/claims/${result.claim.id}/reviews/${result.review.id}`)
      .header('etag', etagOf(result.claim.version))
      .send({ review: result.review, claim: result.claim })
  })

  app.post('/v1/reviews/bulk', {
    config: { role: 'reviewer' },
    schema: {
      tags,
      summary: 'Apply up to 1000 reviews at once, all-or-nothing (atomic) or item by item, safely retryable',
      description: 'Each item is checked as `POST /v1/claims/{id}/reviews` checks it, `expectedVersion` playing ' +
        'the role of If-Match. `atomic: true` (default): one transaction; any failure → 422 with ' +
        '`errors: [{ index, claimId, status, title, detail }]` and nothing applied. `atomic: false`: 200 with a ' +
        'result per item in input order. Send an `Idempotency-Key` (any string up to 255 characters, unique per ' +
        'batch): for 24 hours the same key with the same body returns the stored response without applying ' +
        'again (`Idempotent-Replayed: true`), and with a different body 409. Keys are scoped to the calling API ' +
        'key; a 422 (nothing applied) is not stored, so a fixed batch may be retried under the same key. ' +
        'Idempotency-Key covers transport retries of one batch; for rerunning a whole file (edited, re-batched, ' +
        'a week later) give each item a `clientRef` (per key): an item whose clientRef this key applied before is answered ' +
        '`ok: true, replayed: true` with the stored review and is not applied again (counted in `replayed`, not ' +
        '`applied`); if it asks for something else it fails with 409.',
      headers: bulkHeaders,
      body: bulkReview,
      response: { 200: bulkReviewResponse, ...problems(400, 409, 422) }
    }
  }, async (request, reply) => {
    const outcome = await bulkReviewService(app.services, writeContext(request), request.body, itemError, request.headers['idempotency-key'])
    if (outcome.replayed) reply.header('idempotent-replayed', 'true')
    // Only 200 responses are stored, so a replay is always a 200 of this shape.
    return reply.code(200).send(outcome.body as z.output<typeof bulkReviewResponse>)
  })

  app.get('/v1/claims/:id/reviews', {
    config: { role: 'viewer' },
    schema: {
      tags,
      summary: 'A claim\'s reviews, newest first (also after the claim was deleted)',
      params: claimIdParams,
      querystring: reviewListQuery,
      response: { 200: reviewPage, ...problems(400, 404) }
    }
  }, async (request, reply) => {
    const { id } = request.params
    await claims.requireKnown(id)
    const { limit, cursor } = request.query
    const page = idPage(await reviews.list(id, limit + 1, afterId(cursor)), limit)
    linkNext(request, reply, page.nextCursor)
    return page
  })

  app.get('/v1/claims/:id/reviews/:reviewId', {
    config: { role: 'viewer' },
    schema: {
      tags,
      summary: 'One review (the Location of a created review)',
      params: claimIdParams.extend({ reviewId: uuid.describe('UUID of the review') }),
      response: { 200: review, ...problems(404) }
    }
  }, async (request) => {
    const found = await reviews.get(request.params.id, request.params.reviewId)
    if (found === undefined) throw new NotFound(`Review ${request.params.reviewId} of claim ${request.params.id} does not exist`)
    return found
  })

  app.get('/v1/claims/:id/claimreview', {
    config: { role: 'viewer' },
    schema: {
      tags,
      summary: 'The claim\'s latest verdict as schema.org ClaimReview (application/ld+json)',
      description: 'For publishing fact-check markup. `reviewRating` uses a 1–3 scale: 1 = disputed, ' +
        '2 = unverified, 3 = corroborated, with the verdict in words as `alternateName`. `author` is the ' +
        'organisation named by PUBLISHER_NAME / PUBLISHER_URL; `url` is PUBLISHER_URL + `/claims/{id}` when ' +
        'PUBLISHER_URL is set, else this API\'s URL of the claim. 409 while the claim is unverified.',
      params: claimIdParams,
      response: {
        200: {
          description: 'schema.org ClaimReview',
          content: { 'application/ld+json': { schema: claimReviewDocument } }
        },
        ...problems(404, 409, 410)
      }
    }
  }, async (request, reply) => {
    const claim = await claims.require(request.params.id)
    const latest = (await reviews.list(claim.id, 1))[0]
    if (claim.status === 'unverified' || latest === undefined) {
      throw new Conflict(`Claim ${claim.id} is unverified: there is no verdict to publish yet`,
        { ratingScale: RATINGS })
    }
    const { publisherName, publisherUrl } = app.config
    const url = publisherUrl === undefined
      ? `${request.protocol}://${request.host}/v1/claims/${claim.id}`
      : `${publisherUrl.replace(/\/$/, '')}/claims/${claim.id}`
    const body = claimReview(claim, latest, await speakers.require(claim.speakerId), await sources.require(claim.sourceId),
      { name: publisherName, url: publisherUrl }, url, await app.services.appearances.all(claim.id))
    return reply.type('application/ld+json; charset=utf-8').send(body)
  })
}

export default routes
