/**
 * Child-process entry: serves either the real app over a database file or the bare-Fastify
 * baseline, on 127.0.0.1 and a free port, and tells the parent the port over IPC.
 *
 * The server runs in its own process so that autocannon (in the parent) does not share its
 * CPU or heap: on a 2-core machine each gets a core, and the peak RSS read from
 * /proc/<pid>/status is the server's alone.
 *
 *   app <database-file> <admin-key>    buildApp() as production builds it (logger off)
 *   baseline <json-file>               bare Fastify answering each path of that file's {path: body}
 */
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { buildBaseline } from './baseline.js'

export interface ServerReady { port: number }

async function serveApp (path: string, adminKey: string): Promise<FastifyInstance> {
  // Loaded only here, so the baseline child holds nothing of the app and its RSS is a fair floor.
  const [{ buildApp }, { systemContext }, { loadConfig }, { newId }, { openEngine }] = await Promise.all([
    import('../src/app.js'), import('../src/core/context.js'), import('../src/config.js'), import('../src/db/ids.js'), import('../src/db/connect.js')
  ])
  const config = loadConfig({
    // A path is a SQLite file; a postgres:// URL a PostgreSQL database.
    ...(/^postgres(ql)?:/.test(path) ? { DATABASE_URL: path } : { DATABASE_PATH: path }),
    ADMIN_API_KEY: adminKey,
    LOG_LEVEL: 'silent',
    // One API key sends every request: the per-key limit would measure the limiter, not the service.
    RATE_LIMIT_PER_MINUTE: '1000000'
  })
  const engine = await openEngine(config)
  const app = await buildApp(config, engine)
  app.addHook('onClose', async () => { await engine.close() })
  // As server.ts does at start: make sure an admin key with exactly this value exists.
  await app.services.apiKeys.bootstrap(systemContext('bench', newId()), adminKey)
  return app
}

async function main () {
  const [mode, file, adminKey] = process.argv.slice(2)
  if (file === undefined || (mode === 'app' && adminKey === undefined)) throw new Error('usage: server.ts app <db> <key> | baseline <json>')
  const app = mode === 'app'
    ? await serveApp(file, adminKey as string)
    : buildBaseline(JSON.parse(readFileSync(file, 'utf8')))
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('not listening on a TCP port')
  process.send?.({ port: address.port } satisfies ServerReady)
  // The parent going away (or asking us to stop) closes the server and the database cleanly.
  const stop = () => { app.close().then(() => process.exit(0), () => process.exit(1)) }
  process.on('disconnect', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`bench server: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
