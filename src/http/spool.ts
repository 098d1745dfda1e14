/**
 * A streamed request body spooled to a temp file before anything reads it as records, so
 * that "over the limit" and "not UTF-8" are known before the first write to the database: a
 * 413 or 400 then means nothing was written. Node's own file API suffices here (a temp-file library would add
 * only a cleanup registry, which a killed process never runs).
 */
import { randomUUID } from 'node:crypto'
import { open, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { payloadTooLarge, Problem } from './problems.js'
import { Utf8Check } from '../core/utf8.js'

export interface Spool {
  /** The spooled bytes, from the start. */
  read: () => Readable
  /** Frees the file (call once, in every outcome). */
  close: () => Promise<void>
}

const bodyTooLarge = (limit: number) =>
  payloadTooLarge(`The body is over the ${limit / 1024 / 1024} MiB limit; nothing was written`)

/**
 * The request's body, spooled. Over `limit` (declared or counted) it is a 413 on a connection
 * that then closes, as Fastify does for its own body limit: the client may still be sending,
 * so the connection cannot carry another request. What still arrives is read and dropped
 * meanwhile, so that the client gets to read the answer.
 */
export async function spoolRequestBody (request: FastifyRequest, reply: FastifyReply, body: Readable, limit: number): Promise<Spool> {
  try {
    if (Number(request.headers['content-length'] ?? 0) > limit) throw bodyTooLarge(limit)
    return await spool(body, limit)
  } catch (error) {
    if (error instanceof Problem && error.status === 413) {
      reply.header('connection', 'close')
      body.resume()
    }
    throw error
  }
}

/**
 * Copies `body`, a text body, into an anonymous temp file, failing (and leaving no file) with
 * 413 past `limit` bytes and with 400 at the first line that is not UTF-8.
 */
export async function spool (body: Readable, limit: number): Promise<Spool> {
  const path = join(tmpdir(), `claimledger-upload-${randomUUID()}`)
  const file = await open(path, 'wx+', 0o600)
  try {
    // Unlinked at once, the file lives exactly as long as its handle: no outcome (error,
    // client abort, even kill -9) can leave it behind in the temp directory.
    await unlink(path)
    let size = 0
    const utf8 = new Utf8Check()
    // Not destroyed when we stop early: destroying the request resets the socket, and the
    // client would see a connection error instead of our 413.
    for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      size += bytes.length
      if (size > limit) throw bodyTooLarge(limit)
      utf8.push(bytes)
      for (let written = 0; written < bytes.length;) written += (await file.write(bytes, written)).bytesWritten
    }
    utf8.end()
  } catch (error) {
    await file.close()
    throw error
  }
  return { read: () => file.createReadStream({ start: 0, autoClose: false }), close: async () => await file.close() }
}
