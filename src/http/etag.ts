/**
 * Versions as strong ETags (`"<version>"`): `If-Match` guards writes against lost updates,
 * `If-None-Match` lets readers skip unchanged bodies.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { preconditionFailed } from './problems.js'

export const etagOf = (version: number) => `"${version}"`

function listed (header: string | undefined): string[] {
  if (header === undefined) return []
  return header.split(',').map((s) => s.trim().replace(/^W\//, '')).filter((s) => s !== '')
}

/**
 * The version an `If-Match` header demands, for stores that compare it inside their write
 * transaction. Undefined when absent or `*` (any existing version: last write wins). A
 * malformed tag can never match, so it becomes -1 and gets 412 like a stale one: the client
 * asked for a precondition we cannot confirm.
 */
export function ifMatchVersion (request: FastifyRequest): number | undefined {
  const tags = listed(request.headers['if-match'])
  if (tags.length === 0 || tags.includes('*')) return undefined
  for (const tag of tags) {
    const m = /^"(\d{1,15})"$/.exec(tag)
    if (m !== null) return Number(m[1])
  }
  return -1
}

/** Throws 412 unless `expected` (from If-Match) is absent or equals the current version. */
export function assertVersion (entity: string, expected: number | undefined, current: number): void {
  if (expected !== undefined && expected !== current) {
    throw preconditionFailed(`${entity} is at version ${current}, not ${expected}: reload it and retry`, current)
  }
}

/** Sets the ETag; answers 304 (and returns true) when `If-None-Match` already has it. */
export function notModified (request: FastifyRequest, reply: FastifyReply, version: number): boolean {
  const etag = etagOf(version)
  reply.header('etag', etag)
  const tags = listed(request.headers['if-none-match'])
  if (tags.includes('*') || tags.includes(etag)) {
    reply.code(304).send()
    return true
  }
  return false
}
