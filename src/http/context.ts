import type { FastifyRequest } from 'fastify'
import { type WriteContext } from '../core/context.js'

/** The audit context of a request: its caller and its request id. */
export const writeContext = (request: FastifyRequest): WriteContext =>
  ({ actor: request.actor, requestId: request.id })
