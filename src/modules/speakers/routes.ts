import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { writeContext } from '../../http/context.js'
import { etagOf, ifMatchVersion, notModified } from '../../http/etag.js'
import { afterId, idPage, linkNext } from '../../http/pagination.js'
import { ifMatchHeaders, ifNoneMatchHeaders, noContent, problems } from '../../http/schemas.js'
import { speaker, speakerCreate, speakerIdParams, speakerListQuery, speakerPage, speakerUpdate } from './schemas.js'

const tags = ['Speakers']

const routes: FastifyPluginAsyncZod = async (app) => {
  const { speakers } = app.services

  app.get('/v1/speakers', {
    config: { role: 'viewer' },
    schema: {
      tags,
      summary: 'List speakers, oldest first; `q` matches a name or alias prefix',
      querystring: speakerListQuery,
      response: { 200: speakerPage, ...problems(400) }
    }
  }, async (request, reply) => {
    const { q, limit, cursor } = request.query
    const page = idPage(await speakers.list({ q, limit: limit + 1, afterId: afterId(cursor) }), limit)
    linkNext(request, reply, page.nextCursor)
    return page
  })

  app.post('/v1/speakers', {
    config: { role: 'editor' },
    schema: {
      tags,
      summary: 'Create a speaker',
      body: speakerCreate,
      response: { 201: speaker, ...problems(400, 409) }
    }
  }, async (request, reply) => {
    const created = await speakers.create(writeContext(request), request.body)
    return reply.code(201).header('location', `/v1/speakers/${created.id}`).header('etag', etagOf(created.version)).send(created)
  })

  app.get('/v1/speakers/:id', {
    config: { role: 'viewer' },
    schema: {
      tags,
      summary: 'Get a speaker (ETag; If-None-Match → 304)',
      params: speakerIdParams,
      headers: ifNoneMatchHeaders,
      response: { 200: speaker, 304: noContent, ...problems(404) }
    }
  }, async (request, reply) => {
    const found = await speakers.require(request.params.id)
    if (notModified(request, reply, found.version)) return reply
    return found
  })

  app.patch('/v1/speakers/:id', {
    config: { role: 'editor' },
    schema: {
      tags,
      summary: 'Change a speaker (If-Match → 412 when stale)',
      params: speakerIdParams,
      headers: ifMatchHeaders,
      body: speakerUpdate,
      response: { 200: speaker, ...problems(400, 404, 409, 412) }
    }
  }, async (request, reply) => {
    const updated = await speakers.update(writeContext(request), request.params.id, request.body, ifMatchVersion(request))
    return reply.header('etag', etagOf(updated.version)).send(updated)
  })

  app.delete('/v1/speakers/:id', {
    config: { role: 'editor' },
    schema: {
      tags,
      summary: 'Delete a speaker no claim names (409 while one does, deleted claims included)',
      params: speakerIdParams,
      headers: ifMatchHeaders,
      response: { 204: noContent, ...problems(404, 409, 412) }
    }
  }, async (request, reply) => {
    await speakers.delete(writeContext(request), request.params.id, ifMatchVersion(request))
    return reply.code(204).send(null)
  })
}

export default routes
