/**
 * Versions as strong ETags (`"<version>"`): `If-Match` guards writes against lost updates,
 * `If-None-Match` lets readers skip unchanged bodies (RFC 9110 §13.1).
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { VersionCondition } from '../core/versions.js'

export const etagOf = (version: number) => `"${version}"`

function tags (header: string | undefined): string[] {
  return header === undefined ? [] : header.split(',').map((s) => s.trim()).filter((s) => s !== '')
}

/**
 * The versions an `If-Match` header accepts, for services that compare them inside their
 * write transaction. Undefined when the header is absent or `*` (any current version: last
 * write wins). If-Match needs a strong match, so weak (`W/`) and malformed tags accept
 * nothing: an empty list always gets 412.
 */
export function ifMatchVersion (request: FastifyRequest): VersionCondition {
  const listed = tags(request.headers['if-match'])
  if (listed.length === 0 || listed.includes('*')) return undefined
  return listed.flatMap((tag) => {
    const match = /^"(\d{1,15})"$/.exec(tag)
    return match === null ? [] : [Number(match[1])]
  })
}

/** Sets the ETag; answers 304 (and returns true) when `If-None-Match` already has it (weak comparison). */
export function notModified (request: FastifyRequest, reply: FastifyReply, version: number): boolean {
  const etag = etagOf(version)
  reply.header('etag', etag)
  const listed = tags(request.headers['if-none-match']).map((tag) => tag.replace(/^W\//, ''))
  if (listed.includes('*') || listed.includes(etag)) {
    reply.code(304).send()
    return true
  }
  return false
}
