import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { afterId, cursorParam, idPage, limitParam, linkNext } from '../../http/pagination.js'
import { idParams, noContent, problems } from '../../http/schemas.js'
import { NotFound } from '../../core/errors.js'
import { apiKey, apiKeyCreate, apiKeyCreated, apiKeyPage, me } from './schemas.js'
import { writeContext } from '../../http/context.js'

const tags = ['API keys']

const routes: FastifyPluginAsyncZod = async (app) => {
  const { apiKeys } = app.services

  app.get('/v1/me', {
    config: { role: 'viewer' },
    schema: { tags, summary: 'Who am I: the calling key\'s id, name and role', response: { 200: me } }
  }, async (request) => ({ id: request.actor.id, name: request.actor.name, role: request.actor.role }))

  app.post('/v1/api-keys', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'Create an API key (the secret is in this response only)',
      body: apiKeyCreate,
      response: { 201: apiKeyCreated, ...problems(400) }
    }
  }, async (request, reply) => {
    const created = await app.services.apiKeys.create(writeContext(request), request.body)
    return reply.code(201).header('location', `/v1/api-keys/${created.id}`).send(created)
  })

  app.get('/v1/api-keys', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'List API keys, oldest first (never the secrets), revoked ones included',
      querystring: z.strictObject({ limit: limitParam, cursor: cursorParam }),
      response: { 200: apiKeyPage, ...problems(400) }
    }
  }, async (request, reply) => {
    const { limit, cursor } = request.query
    const page = idPage(await apiKeys.list(limit + 1, afterId(cursor)), limit)
    linkNext(request, reply, page.nextCursor)
    return page
  })

  app.get('/v1/api-keys/:id', {
    config: { role: 'admin' },
    schema: { tags, summary: 'One API key (never the secret)', params: idParams(), response: { 200: apiKey, ...problems(404) } }
  }, async (request) => {
    const found = await apiKeys.get(request.params.id)
    if (found === undefined) throw new NotFound(`API key ${request.params.id} does not exist`)
    return found
  })

  app.delete('/v1/api-keys/:id', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'Revoke an API key (idempotent; the last active admin key cannot be revoked)',
      params: idParams(),
      response: { 204: noContent, ...problems(404, 409) }
    }
  }, async (request, reply) => {
    await apiKeys.revoke(writeContext(request), request.params.id)
    return reply.code(204).send(null)
  })
}

export default routes
