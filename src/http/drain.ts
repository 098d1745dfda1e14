/**
 * Reading the rest of a request body we refuse. When a body is refused before it is read (a
 * 413 on its Content-Length, or past the limit while streaming), Fastify answers with
 * `Connection: close`, and closing a socket with unread bytes in it makes the kernel send a
 * reset. A client still uploading (Node's fetch, curl) then sees EPIPE or ECONNRESET instead
 * of the answer, often before it has read it. Reading, and discarding, the rest of the body
 * first lets the close be a clean one, so the client always gets its problem+json.
 */
import type { IncomingMessage } from 'node:http'

/**
 * At most this many bytes are read from a body we refuse; past it the connection is closed
 * (and the client may see a reset). As much as the largest body accepted anywhere (a 50 MiB
 * import) plus headroom: reading it costs no memory (it is discarded), and the server's
 * requestTimeout bounds the time, as for any upload.
 */
export const DRAIN_LIMIT = 64 * 1024 * 1024

/** True once the whole body has arrived (inject's requests have no `complete`). */
const fullyRead = (raw: IncomingMessage) => raw.complete || raw.readableEnded

/**
 * Reads and discards the rest of `raw`'s body. Resolves true when the body ended within
 * `limit` bytes, false when it is (or is declared) larger, or the connection went away.
 */
export function drainBody (raw: IncomingMessage, limit = DRAIN_LIMIT): Promise<boolean> {
  if (fullyRead(raw)) return Promise.resolve(true)
  if (raw.destroyed || Number(raw.headers['content-length'] ?? 0) > limit) return Promise.resolve(false)
  return new Promise((resolve) => {
    let seen = 0
    const finish = (drained: boolean) => {
      raw.off('data', onData)
      raw.off('end', onEnd)
      raw.off('close', onClose)
      raw.off('error', onClose)
      if (!drained) raw.pause()
      resolve(drained)
    }
    const onData = (chunk: Buffer | string) => {
      seen += chunk.length
      if (seen > limit) finish(false)
    }
    const onEnd = () => finish(true)
    const onClose = () => finish(fullyRead(raw))
    raw.on('data', onData)
    raw.once('end', onEnd)
    raw.once('close', onClose)
    raw.once('error', onClose)
    raw.resume()
  })
}
