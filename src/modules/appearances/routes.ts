import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { writeContext } from '../../http/context.js'
import { decodeCursor, linkNext, pageFrom } from '../../http/pagination.js'
import { problems } from '../../http/schemas.js'
import { claimIdParams } from '../claims/schemas.js'
import { appearance, appearanceCreate, appearanceCursor, appearanceListQuery, appearancePage } from './schemas.js'

const tags = ['Claims']
/** The cursor's sort name: appearances have one order (date, then id). */
const ORDER = 'appearedAt'

const routes: FastifyPluginAsyncZod = async (app) => {
  const { appearances } = app.services

  app.post('/v1/claims/:id/appearances', {
    config: { role: 'editor' },
    schema: {
      tags,
      summary: 'Record another place and day the claim was made',
      description: 'The claim must be live (404 unknown, 410 deleted). `source` is found by URL (else title and publisher) or ' +
        'created, as for a claim; `sourceId`/`speakerId` that name nothing are 422. Audited on the claim as ' +
        '`claim.appearance_added`; the claim gets a new version (and ETag). ClaimReview lists every appearance, and the ' +
        'earliest (the claim\'s own source on its `claimedAt` included) as `firstAppearance`.',
      params: claimIdParams,
      body: appearanceCreate,
      response: { 201: appearance, ...problems(400, 404, 410, 422) }
    }
  }, async (request, reply) => reply.code(201).send(await appearances.add(writeContext(request), request.params.id, request.body)))

  app.get('/v1/claims/:id/appearances', {
    config: { role: 'viewer' },
    schema: {
      tags,
      summary: 'Where and when else the claim was made, in the order it appeared (also after the claim was deleted)',
      description: 'With `asOf`, the list as it stood at that moment (the appearances recorded by then, as `GET ' +
        '/v1/claims/{id}?asOf=` gives the claim); their sources and speakers are named as they are now. The next page\'s ' +
        'link keeps `asOf`.',
      params: claimIdParams,
      querystring: appearanceListQuery,
      response: { 200: appearancePage, ...problems(400, 404) }
    }
  }, async (request, reply) => {
    const { limit, cursor, asOf } = request.query
    const after = cursor === undefined ? undefined : decodeCursor(cursor, ORDER, appearanceCursor)
    const page = pageFrom(await appearances.list(request.params.id, limit + 1, after, asOf), limit, ORDER, (a) => [a.appearedAt, a.id])
    linkNext(request, reply, page.nextCursor)
    return page
  })
}

export default routes
