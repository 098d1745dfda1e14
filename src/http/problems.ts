/**
 * Errors are values: a route or store throws a `Problem` and one handler turns it (and
 * every framework error) into RFC 9457 `application/problem+json`. Nothing else writes
 * error bodies, so no error can leak a stack trace, SQL text or a file path.
 */
import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  Conflict, detailsAddedTo, DomainError, Duplicate, type ExistingRecord, type FieldError, Gone, Invalid, NotFound, RuleViolated,
  Stale, TooLarge, Unreadable
} from '../core/errors.js'
import { storageFault, type StorageFault } from '../db/errors.js'
import { drainBody } from './drain.js'
import { trackAllowedMethods } from './methods.js'

export const PROBLEM_BASE = 'https://claimledger.dev/problems/'
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8'

export type { FieldError }

export class Problem extends Error {
  readonly status: number
  readonly slug: string
  readonly title: string
  readonly extensions: Record<string, unknown>
  readonly headers: Record<string, string>

  constructor (status: number, slug: string, title: string, detail: string,
    extensions: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(detail)
    this.name = 'Problem'
    this.status = status
    this.slug = slug
    this.title = title
    this.extensions = extensions
    this.headers = headers
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) => problemOf(new Invalid(detail, errors))
export const payloadTooLarge = (detail: string) => new Problem(413, 'payload-too-large', 'Payload too large', detail)
export const notFound = (detail: string) => problemOf(new NotFound(detail))
export const unauthorized = (detail: string) =>
  new Problem(401, 'unauthorized', 'Unauthorized', detail, {}, { 'www-authenticate': 'Bearer' })
export const forbidden = (detail: string) => new Problem(403, 'forbidden', 'Forbidden', detail)
export const tooManyRequests = (detail: string, retryAfterSeconds: number) =>
  new Problem(429, 'rate-limited', 'Too many requests', detail, {}, { 'retry-after': String(retryAfterSeconds) })

/** Where an existing record lives, for a duplicate's `Location`. */
function pathOf (existing: ExistingRecord): string {
  return existing.kind === 'review'
    ? `/v1/claims/${existing.claimId}/reviews/${existing.id}`
    : `/v1/${existing.kind}s/${existing.id}`
}

/** Each domain error's status, slug and title: the one place the core meets HTTP. */
function domainProblem (error: DomainError): Problem {
  const as = (status: number, slug: string, title: string, headers: Record<string, string> = {}) =>
    new Problem(status, slug, title, error.message, error.details, headers)
  if (error instanceof NotFound) return as(404, 'not-found', 'Not found')
  if (error instanceof Gone) return as(410, 'gone', 'Gone')
  if (error instanceof Duplicate) return as(409, 'duplicate', 'Already exists', { location: pathOf(error.existing) })
  if (error instanceof Conflict) return as(409, 'conflict', 'Conflict')
  if (error instanceof Stale) return as(412, 'precondition-failed', 'Precondition failed', { etag: `"${error.current}"` })
  if (error instanceof RuleViolated) return as(422, 'unprocessable', 'Unprocessable request')
  if (error instanceof Unreadable) {
    return error.format === 'json' ? as(400, 'malformed-json', 'Malformed JSON') : as(400, 'invalid-encoding', 'Body is not UTF-8')
  }
  if (error instanceof TooLarge) return as(413, 'payload-too-large', 'Payload too large')
  return as(400, 'validation', 'Invalid request') // Invalid
}

/** A domain error as the problem a client sees (a Problem as it is). */
export const problemOf = (error: DomainError | Problem): Problem => error instanceof Problem ? error : domainProblem(error)

/** A domain error as one item's error in a bulk answer (bulk review results, import results). */
export function itemError (error: DomainError): { status: number, title: string, detail: string, errors?: FieldError[] } {
  const { status, title, message, extensions } = domainProblem(error)
  const { errors } = extensions
  return { status, title, detail: message, ...(errors === undefined ? {} : { errors: errors as FieldError[] }) }
}

/** Framework errors a client caused, by Fastify error code. */
const frameworkProblems: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed-json', 'Malformed JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'malformed-json', 'Malformed JSON'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported-media-type', 'Unsupported media type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid-content-length', 'Invalid Content-Length'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload-too-large', 'Payload too large']
}

/**
 * The database's storage failing, told honestly (and never with SQL or a path): the client
 * did nothing wrong, and a failed write never leaves anything behind (SQLite rolls the
 * transaction back), which the details say so that a client knows a retry is safe.
 */
const storageProblems: Record<StorageFault, [number, string, string, string]> = {
  full: [507, 'insufficient-storage', 'Insufficient storage',
    'The database\'s disk is full, so nothing was written; retry once an operator has freed space'],
  'read-only': [503, 'database-read-only', 'Database is read-only',
    'The database cannot be written (its file or disk is read-only), so nothing was written'],
  damaged: [503, 'database-damaged', 'Database file is damaged',
    'The database file is damaged and an operator must restore it from a backup; this request changed nothing'],
  io: [503, 'storage-error', 'Storage error', 'The database\'s disk failed to read or write; this request changed nothing'],
  gone: [503, 'database-missing', 'Database file is missing',
    'The database file was deleted or replaced while the service ran, so nothing was written; an operator must restore it'],
  // Another process (the CLI) held the write lock past busy_timeout: worth a retry.
  busy: [503, 'busy', 'Service unavailable', 'The database is busy; retry shortly'],
  unreachable: [503, 'database-unreachable', 'Database unreachable',
    'The database server could not be reached, so this request changed nothing; retry shortly']
}

function storageProblem (fault: StorageFault): Problem {
  const [status, slug, title, detail] = storageProblems[fault]
  return new Problem(status, slug, title, detail, {}, fault === 'busy' ? { 'retry-after': '1' } : {})
}

type ValidationItem = NonNullable<FastifyError['validation']>[number]

/** One entry per offending field; an unknown-keys issue names each unknown key as its own path. */
function fieldErrors (v: ValidationItem): FieldError[] {
  const base = v.instancePath === '/' ? '' : v.instancePath
  const keys = (v.params as { keys?: unknown }).keys
  if (v.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
    return keys.map((key) => ({ path: `${base}/${String(key)}`, message: 'is not a known field' }))
  }
  return [{ path: base, message: v.message ?? 'is invalid' }]
}

/** The one mapping from anything thrown to the problem a client sees. */
export function toProblem (error: FastifyError, bodyLimit: number): Problem {
  if (error instanceof Problem) return error
  if (error instanceof DomainError) return domainProblem(error)
  if (Array.isArray(error.validation)) {
    const where = error.validationContext ?? 'request'
    const errors = error.validation.flatMap(fieldErrors)
    const detail = errors.map((e) => `${where}${e.path} ${e.message}`).join('; ')
    return badRequest(detail, errors)
  }
  const known = frameworkProblems[error.code]
  if (known !== undefined) {
    const detail = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
      ? 'This endpoint takes application/json bodies (POST /v1/claims/import also takes application/x-ndjson and text/csv)'
      : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
        ? 'The request body is not valid JSON'
        : error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? `The body is over this endpoint's ${bodyLimit / 1024 / 1024} MiB limit; nothing was written`
          : error.message
    return new Problem(known[0], known[1], known[2], detail)
  }
  // Our JSON parser's failures: SyntaxErrors with statusCode 400 and a safe message.
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return new Problem(400, 'malformed-json', 'Malformed JSON', error.message)
  }
  const fault = storageFault(error)
  if (fault !== undefined) return storageProblem(fault)
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    return new Problem(status, 'http-' + status, STATUS_CODES[status] ?? 'Client error', error.message)
  }
  return new Problem(500, 'internal', 'Internal server error',
    'The server failed to handle this request; it has been logged with the request id')
}

export function sendProblem (request: FastifyRequest, reply: FastifyReply, problem: Problem, added: Record<string, unknown> = {}) {
  return reply
    .code(problem.status)
    .headers(problem.headers)
    .type(PROBLEM_CONTENT_TYPE)
    // Sent as a string so no route's response schema can reshape an error body.
    .serializer((payload: unknown) => JSON.stringify(payload))
    .send({
      type: PROBLEM_BASE + problem.slug,
      title: problem.title,
      status: problem.status,
      detail: problem.message,
      instance: request.url.split('?')[0],
      requestId: request.id,
      ...problem.extensions,
      ...added
    })
}

/** Installs the one error handler and the not-found handler (405 with `Allow` where the path exists). */
export function installProblemHandlers (app: FastifyInstance) {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const problem = toProblem(error, request.routeOptions.bodyLimit)
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed')
    // A body refused unread (413, or an error before the body was parsed) is read to its end
    // first, so the client gets this answer rather than a reset (see drain.ts); one too large
    // to read closes the connection.
    if (!await drainBody(request.raw)) reply.header('connection', 'close')
    return sendProblem(request, reply, problem, detailsAddedTo(error))
  })
  const allowedMethods = trackAllowedMethods(app)
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] as string
    const allowed = allowedMethods(path)
    if (allowed.length > 0) {
      return sendProblem(request, reply, new Problem(405, 'method-not-allowed', 'Method not allowed',
        `${path} supports ${allowed.join(', ')}, not ${request.method}`, {}, { allow: allowed.join(', ') }))
    }
    return sendProblem(request, reply, notFound(`No route for ${request.method} ${path}`))
  })
}
