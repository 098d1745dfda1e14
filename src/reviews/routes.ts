import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { writeContext } from '../http/context.js'
import { etagOf, ifMatchVersion } from '../http/etag.js'
import { decodeCursor, idPage, linkNext } from '../http/pagination.js'
import { conflict, notFound } from '../http/problems.js'
import { idParams, ifMatchHeaders, problems } from '../http/schemas.js'
import { claimReview, RATINGS } from './claimreview.js'
import { review, reviewCreate, reviewCreated, reviewListQuery, reviewPage } from './schemas.js'

const tags = ['Reviews']

const routes: FastifyPluginAsyncZod = async (app) => {
  const { claims, reviews, speakers, sources } = app.stores

  app.post('/v1/claims/:id/reviews', {
    config: { role: 'reviewer' },
    schema: {
      tags,
      summary: 'Review a claim: set its status to the verdict, with a note and evidence',
      description: '`corroborated` and `disputed` need at least one evidence item (else 422). The claim\'s ' +
        '`status`, `version`, `reviewCount` and `lastReviewedAt` change in the same transaction as the review ' +
        'and its `claim.reviewed` audit event. `If-Match: "<claim version>"` makes it conditional (412 when ' +
        'another change came first). The reviewer is the calling key. Reviews are never edited or deleted. ' +
        'The response `ETag` is the claim\'s new version.',
      params: idParams,
      headers: ifMatchHeaders,
      body: reviewCreate,
      response: { 201: reviewCreated, ...problems(400, 404, 410, 412, 422) }
    }
  }, async (request, reply) => {
    const result = reviews.create(writeContext(request), request.params.id, request.body, ifMatchVersion(request))
    return reply.code(201)
      .header('location', `/v1/claims/${result.claim.id}/reviews/${result.review.id}`)
      .header('etag', etagOf(result.claim.version))
      .send(result)
  })

  app.get('/v1/claims/:id/reviews', {
    config: { role: 'viewer' },
    schema: {
      tags,
      summary: 'A claim\'s reviews, newest first (also after the claim was deleted)',
      params: idParams,
      querystring: reviewListQuery,
      response: { 200: reviewPage, ...problems(400, 404) }
    }
  }, async (request, reply) => {
    const { id } = request.params
    if (claims.find(id) === undefined) throw notFound(`Claim ${id} does not exist`)
    const { limit, cursor } = request.query
    const before = cursor === undefined ? undefined : decodeCursor(cursor, 'id', z.tuple([z.string()]))[0]
    const page = idPage(reviews.list(id, limit + 1, before), limit)
    linkNext(request, reply, page.nextCursor)
    return page
  })

  app.get('/v1/claims/:id/reviews/:reviewId', {
    config: { role: 'viewer' },
    schema: {
      tags,
      summary: 'One review (the Location of a created review)',
      params: z.strictObject({ id: z.string(), reviewId: z.string() }),
      response: { 200: review, ...problems(404) }
    }
  }, async (request) => {
    const found = reviews.get(request.params.id, request.params.reviewId)
    if (found === undefined) throw notFound(`Review ${request.params.reviewId} of claim ${request.params.id} does not exist`)
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
      params: idParams,
      response: {
        200: {
          description: 'schema.org ClaimReview',
          content: { 'application/ld+json': { schema: z.record(z.string(), z.unknown()).meta({ id: 'ClaimReview' }) } }
        },
        ...problems(404, 409, 410)
      }
    }
  }, async (request, reply) => {
    const claim = claims.require(request.params.id)
    const latest = reviews.list(claim.id, 1)[0]
    if (claim.status === 'unverified' || latest === undefined) {
      throw conflict(`Claim ${claim.id} is unverified: there is no verdict to publish yet`,
        { ratingScale: RATINGS })
    }
    const { publisherName, publisherUrl } = app.config
    const url = publisherUrl === undefined
      ? `${request.protocol}://${request.host}/v1/claims/${claim.id}`
      : `${publisherUrl.replace(/\/$/, '')}/claims/${claim.id}`
    const body = claimReview(claim, latest, speakers.require(claim.speakerId), sources.require(claim.sourceId),
      { name: publisherName, url: publisherUrl }, url)
    return reply.type('application/ld+json; charset=utf-8').send(body)
  })
}

export default routes
