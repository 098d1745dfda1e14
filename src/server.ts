/**
 * `npm start`: load the configuration, open and migrate the database, seed it if empty,
 * make sure an admin key exists, listen, and close gracefully on SIGINT/SIGTERM.
 */
import { pathToFileURL } from 'node:url'
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import { systemContext } from './core/context.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { failureLine } from './db/errors.js'
import { newId } from './db/ids.js'
import { markerPath } from './db/location.js'
import { describeDatabase, openEngine } from './db/connect.js'
import { isEmpty, loadSeeds } from './seed.js'

function loggerOptions (config: Config) {
  const pretty = process.stdout.isTTY
  return {
    level: config.logLevel,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } } } : {})
  }
}

function announceKey (key: string, config: Config) {
  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`
  process.stdout.write([
    '',
    '  ┌──────────────────────────────────────────────────────────────────────────',
    '  │ Claimledger created an admin API key. It is shown only this once:',
    '  │',
    `  │   ${key}`,
    '  │',
    '  │ Try it:',
    `  │   curl -H "Authorization: Bearer ${key}" ${base}/v1/claims`,
    `  │ Swagger UI: ${base}/docs  (click "Authorize" and paste the key)`,
    '  └──────────────────────────────────────────────────────────────────────────',
    '', ''
  ].join('\n'))
}

/**
 * Prepares the database (bootstrap key, seeds) and starts listening; `beforeListen` gets the
 * app just before the socket opens.
 */
export async function start (config: Config, beforeListen: (app: FastifyInstance) => void = () => {}): Promise<FastifyInstance> {
  const engine = await openEngine(config)
  let app: FastifyInstance
  try {
    app = await buildApp(config, engine, { logger: loggerOptions(config) })
  } catch (error) {
    await engine.close()
    throw error
  }
  // Last: the pool drains (or the file closes) once every request has been answered.
  app.addHook('onClose', async () => { await engine.close() })
  app.log.info({ database: describeDatabase(config), engine: engine.kind }, 'database open')
  const { services } = app
  if (engine.kind === 'sqlite' && engine.database.created) {
    // Loud on purpose: a wrong DATABASE_PATH (or a lost file) looks like this too.
    app.log.warn({ databasePath: config.databasePath, marker: markerPath(config.databasePath) },
      'created a NEW, EMPTY database: if you expected existing data, stop and check DATABASE_PATH')
  }

  const bootstrap = await services.apiKeys.bootstrap(systemContext('bootstrap', newId()), config.adminApiKey)
  if (bootstrap.revoked === true) app.log.warn('ADMIN_API_KEY names a revoked key: it stays revoked')
  if (config.adminApiKey !== undefined && config.adminApiKey.length < 32) {
    app.log.warn('ADMIN_API_KEY is shorter than 32 characters: fine for tests, guessable in production')
  }

  if (config.seed === true || (config.seed === undefined && await isEmpty(services))) {
    const seeded = await loadSeeds(services)
    app.log.info(seeded, 'seed data loaded')
  }

  beforeListen(app)
  try {
    await app.listen({ port: config.port, host: config.host })
  } finally {
    // Shown even when listening fails: the key exists now and would otherwise be lost.
    if (bootstrap.created !== undefined) announceKey(bootstrap.created, config)
  }
  return app
}

/** The configuration from the environment, or exit 1 with one line naming the bad variable. */
export function configOrExit (): Config {
  try {
    return loadConfig(process.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    process.stderr.write(error.message + '\n')
    process.exit(1)
  }
}

/** Why the start failed, as one line, for a failure that is the environment's and not a bug. */
function startFailure (error: unknown, config: Config): string | undefined {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    return `Cannot listen: ${(error as Error).message} (set PORT or HOST)`
  }
  return failureLine(error, config.databasePath)
}

/**
 * Fatal signals crash the process instead of closing it gracefully: a SIGBUS raised inside
 * SQLite's memory-mapped I/O returns to the faulting instruction after any JS handler, so
 * handling it meant a 100%-CPU loop instead of an exit (and a restart by the supervisor).
 */
const FATAL_SIGNALS: closeWithGrace.AllEvents[] = ['SIGBUS', 'SIGSEGV', 'SIGILL', 'SIGFPE']

/**
 * Closes `app` gracefully on SIGINT/SIGTERM (or an uncaught error). Installed before the
 * socket opens: a SIGTERM sent as soon as "listening" is logged (by a supervisor, a test)
 * would otherwise meet the default action and kill the process uncleanly.
 */
function closeGracefully (app: FastifyInstance) {
  closeWithGrace({ delay: 10_000, skip: FATAL_SIGNALS }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'closing after an uncaught error')
    else app.log.info({ signal }, 'shutting down')
    // Requests in flight finish; keep-alive connections that go idle after that are closed
    // as they do, so the close does not wait out their keep-alive timeout.
    const sweep = setInterval(() => { app.server.closeIdleConnections() }, 100)
    try {
      await app.close()
    } finally {
      clearInterval(sweep)
    }
  })
}

/** Starts serving, closing gracefully on SIGINT/SIGTERM; a failure of the environment ends it with one line. */
export async function serve () {
  const config = configOrExit()
  try {
    await start(config, closeGracefully)
  } catch (error) {
    const line = startFailure(error, config)
    if (line === undefined) throw error
    process.stderr.write(line + '\n')
    process.exit(1)
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await serve()
