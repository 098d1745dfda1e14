import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { writeContext } from '../../http/context.js'
import { etagOf, ifMatchVersion, notModified } from '../../http/etag.js'
import { afterId, idPage, linkNext } from '../../http/pagination.js'
import { ifMatchHeaders, ifNoneMatchHeaders, noContent, problems } from '../../http/schemas.js'
import { source, sourceCreate, sourceIdParams, sourceListQuery, sourcePage, sourceUpdate } from './schemas.js'

const tags = ['Sources']

const routes: FastifyPluginAsyncZod = async (app) => {
  const { sources } = app.services

  app.get('/v1/sources', {
    config: { role: 'viewer' },
    schema: {
      tags,
      summary: 'List sources, oldest first; `q` matches a title prefix, `publisher` a publisher',
      querystring: sourceListQuery,
      response: { 200: sourcePage, ...problems(400) }
    }
  }, async (request, reply) => {
    const { q, publisher, limit, cursor } = request.query
    const page = idPage(await sources.list({ q, publisher, limit: limit + 1, afterId: afterId(cursor) }), limit)
    linkNext(request, reply, page.nextCursor)
    return page
  })

  app.post('/v1/sources', {
    config: { role: 'editor' },
    schema: {
      tags,
      summary: 'Create a source',
      body: sourceCreate,
      response: { 201: source, ...problems(400, 409) }
    }
  }, async (request, reply) => {
    const created = await sources.create(writeContext(request), request.body)
    return reply.code(201).header('location', `/v1/sources/${created.id}`).header('etag', etagOf(created.version)).send(created)
  })

  app.get('/v1/sources/:id', {
    config: { role: 'viewer' },
    schema: {
      tags,
      summary: 'Get a source (ETag; If-None-Match → 304)',
      params: sourceIdParams,
      headers: ifNoneMatchHeaders,
      response: { 200: source, 304: noContent, ...problems(404) }
    }
  }, async (request, reply) => {
    const found = await sources.require(request.params.id)
    if (notModified(request, reply, found.version)) return reply
    return found
  })

  app.patch('/v1/sources/:id', {
    config: { role: 'editor' },
    schema: {
      tags,
      summary: 'Change a source (If-Match → 412 when stale)',
      params: sourceIdParams,
      headers: ifMatchHeaders,
      body: sourceUpdate,
      response: { 200: source, ...problems(400, 404, 409, 412) }
    }
  }, async (request, reply) => {
    const updated = await sources.update(writeContext(request), request.params.id, request.body, ifMatchVersion(request))
    return reply.header('etag', etagOf(updated.version)).send(updated)
  })

  app.delete('/v1/sources/:id', {
    config: { role: 'editor' },
    schema: {
      tags,
      summary: 'Delete a source no claim cites (409 while one does, deleted claims included)',
      params: sourceIdParams,
      headers: ifMatchHeaders,
      response: { 204: noContent, ...problems(404, 409, 412) }
    }
  }, async (request, reply) => {
    await sources.delete(writeContext(request), request.params.id, ifMatchVersion(request))
    return reply.code(204).send(null)
  })
}

export default routes
