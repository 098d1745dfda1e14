import { z } from 'zod'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { decodeCursor, linkNext, pageFrom } from '../../http/pagination.js'
import { claimIdParams } from '../claims/schemas.js'
import { problems } from '../../http/schemas.js'
import { mayAct } from '../../core/context.js'
import type { AuditEvent } from './ledger.js'
import { ADMIN_ONLY_ENTITIES, auditPage, auditQuery, historyQuery, verifyResult } from './schemas.js'

const tags = ['Audit']
const seqCursor = z.tuple([z.number().int()])

/** An admin-only event as others see it: its place in the chain, not who did what to which key. */
function redacted (event: AuditEvent) {
  if (!ADMIN_ONLY_ENTITIES.includes(event.entityType)) return event
  const { seq, at, action, entityType, prevHash, hash } = event
  return { seq, at, action, entityType, prevHash, hash, redacted: true as const }
}

/** Where a page of the feed starts: the later of `after` and the cursor's position. */
function startAfter (after: number | undefined, cursor: string | undefined): number | undefined {
  const fromCursor = cursor === undefined ? undefined : decodeCursor(cursor, 'seq', seqCursor)[0]
  if (after === undefined) return fromCursor
  return Math.max(after, fromCursor ?? after)
}

const routes: FastifyPluginAsyncZod = async (app) => {
  const { ledger, claims } = app.services

  app.get('/v1/audit', {
    config: { role: 'viewer' },
    schema: {
      tags,
      summary: 'The change feed: audit events in ascending seq',
      description: 'Poll with `after=<last seq you hold>` to follow new events. `nextCursor` (and `Link: rel="next"`) ' +
        'lead to the next page of the same query. API keys are admin-only, so for other roles events about them ' +
        '(`entityType: apikey`) come redacted: seq, at, action, entityType, prevHash and hash, with `redacted: true` ' +
        'and no actor, entityId, changes or requestId. The feed stays gap-free and every link of the chain stays ' +
        'checkable; only admins can rehash those events (or use `GET /v1/audit/verify`). For other roles the ' +
        '`entityId` and `actor` filters never match a redacted event, since they would reveal what it withholds.',
      querystring: auditQuery,
      response: { 200: auditPage, ...problems(400) }
    }
  }, async (request, reply) => {
    const { after, cursor, limit, ...filter } = request.query
    const restricted = !mayAct(request.actor.role, 'admin')
    const probing = filter.entityId !== undefined || filter.actor !== undefined
    const rows = await ledger.list({
      ...filter,
      after: startAfter(after, cursor),
      excludeEntityTypes: restricted && probing ? ADMIN_ONLY_ENTITIES : undefined,
      limit: limit + 1
    })
    const page = pageFrom(rows, limit, 'seq', (e) => [e.seq])
    linkNext(request, reply, page.nextCursor)
    return restricted ? { ...page, items: page.items.map(redacted) } : page
  })

  app.get('/v1/audit/verify', {
    config: { role: 'admin' },
    schema: {
      tags,
      summary: 'Walk the whole hash chain and report whether it is intact',
      description: '200 either way: `{ ok: true, events, head }`, or `{ ok: false, firstBadSeq }` naming the first ' +
        'event whose seq, prevHash or hash does not check out.',
      response: { 200: verifyResult }
    }
  }, async () => await ledger.verify())

  app.get('/v1/claims/:id/history', {
    config: { role: 'viewer' },
    schema: {
      tags,
      summary: 'A claim\'s audit events, oldest first (also after the claim was deleted)',
      params: claimIdParams,
      querystring: historyQuery,
      response: { 200: auditPage, ...problems(400, 404) }
    }
  }, async (request, reply) => {
    const { id } = request.params
    await claims.requireKnown(id)
    const { cursor, limit } = request.query
    const rows = await ledger.list({ entityType: 'claim', entityId: id, after: startAfter(undefined, cursor), limit: limit + 1 })
    const page = pageFrom(rows, limit, 'seq', (e) => [e.seq])
    linkNext(request, reply, page.nextCursor)
    return page
  })
}

export default routes
