import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { writeContext } from '../../http/context.js'
import { etagOf, ifMatchVersion, notModified } from '../../http/etag.js'
import { decodeCursor, linkNext, pageFrom } from '../../http/pagination.js'
import { ifMatchHeaders, ifNoneMatchHeaders, noContent, problems } from '../../http/schemas.js'
import { claimAsOf } from './as-of.js'
import { claim, claimCreate, claimCreated, claimCursor, claimDelete, claimIdParams, claimListQuery, claimPage, claimReadQuery, claimSortKey, claimUpdate } from './schemas.js'

const tags = ['Claims']

const routes: FastifyPluginAsyncZod = async (app) => {
  const { claims } = app.services

  app.get('/v1/claims', {
    config: { role: 'viewer' },
    schema: {
      tags,
      summary: 'List claims with filters, sorts and keyset pagination',
      description: 'Deleted claims are not listed. Every filter combines with every other (AND). ' +
        'Pages are keyset-based: follow `nextCursor` (or the `Link: rel="next"` header) with the same ' +
        'filters and sort; a cursor from another sort is rejected with 400. Unknown query parameters are rejected (400).',
      querystring: claimListQuery,
      response: { 200: claimPage, ...problems(400) }
    }
  }, async (request, reply) => {
    const { cursor, ...filter } = request.query
    const after = cursor === undefined ? undefined : decodeCursor(cursor, filter.sort, claimCursor)
    const page = pageFrom(await claims.list({ ...filter, limit: filter.limit + 1 }, after), filter.limit, filter.sort,
      (c) => claimSortKey(filter.sort, c))
    linkNext(request, reply, page.nextCursor)
    return page
  })

  app.post('/v1/claims', {
    config: { role: 'editor' },
    schema: {
      tags,
      summary: 'Create a claim (speaker and source by id, or found-or-created inline)',
      description: 'A claim with the same speaker, `claimedAt` and text (after Unicode NFC, case-folding and ' +
        'whitespace collapsing) as a live claim is a duplicate: 409 with `existingId` and a `Location` to it. ' +
        'A `speakerId`/`sourceId` that names nothing is 422. The answer lists `possibleMatches`: stored claims this one may repeat.',
      body: claimCreate,
      response: { 201: claimCreated, ...problems(400, 409, 422) }
    }
  }, async (request, reply) => {
    const created = await claims.create(writeContext(request), request.body)
    // The claim is stored: a failure to suggest matches must not turn its 201 into an error.
    const possibleMatches = await app.services.matching.possibleMatches(created).catch((error: unknown) => {
      request.log.warn({ err: error, claimId: created.id }, 'possibleMatches failed; answered without them')
      return []
    })
    return reply.code(201).header('location', `/v1/claims/${created.id}`).header('etag', etagOf(created.version)).send({ ...created, possibleMatches })
  })

  app.get('/v1/claims/:id', {
    config: { role: 'viewer' },
    schema: {
      tags,
      summary: 'Get a claim, now (ETag; If-None-Match → 304) or as it stood at any past moment (`asOf`)',
      description: 'With `asOf` the claim is rebuilt from its audit history exactly as it stood at that moment: ' +
        'text and other edits, speaker and source (with their names then), and the status its reviews had given ' +
        'it. `asOf` before the claim existed → 404; at or after its deletion → 410; a future time → the claim now. ' +
        'Historical reads carry no ETag. Without `asOf`, a deleted claim is 410.',
      params: claimIdParams,
      headers: ifNoneMatchHeaders,
      querystring: claimReadQuery,
      response: { 200: claim, 304: noContent, ...problems(400, 404, 410) }
    }
  }, async (request, reply) => {
    const { asOf } = request.query
    if (asOf !== undefined) return await claimAsOf(app.services.ledger, request.params.id, asOf)
    const found = await claims.require(request.params.id)
    if (notModified(request, reply, found.version)) return reply
    return found
  })

  app.patch('/v1/claims/:id', {
    config: { role: 'editor' },
    schema: {
      tags,
      summary: 'Change a claim\'s text, quote, speaker, source, date, context, topics or language',
      description: '`status` is not accepted here: it changes only through reviews. `If-Match: "<version>"` ' +
        'makes the change conditional (412 when stale); without it the last write wins.',
      params: claimIdParams,
      headers: ifMatchHeaders,
      body: claimUpdate,
      response: { 200: claim, ...problems(400, 404, 409, 410, 412, 422) }
    }
  }, async (request, reply) => {
    const updated = await claims.update(writeContext(request), request.params.id, request.body, ifMatchVersion(request))
    return reply.header('etag', etagOf(updated.version)).send(updated)
  })

  app.delete('/v1/claims/:id', {
    config: { role: 'editor' },
    schema: {
      tags,
      summary: 'Soft-delete a claim, with an optional reason; its history stays and later reads get 410',
      params: claimIdParams,
      headers: ifMatchHeaders,
      body: claimDelete,
      response: { 204: noContent, ...problems(400, 404, 410, 412) }
    }
  }, async (request, reply) => {
    await claims.delete(writeContext(request), request.params.id, request.body?.reason ?? undefined, ifMatchVersion(request))
    return reply.code(204).send(null)
  })
}

export default routes
