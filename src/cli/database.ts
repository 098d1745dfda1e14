/**
 * The database a CLI command works on. Every command names it on stderr (the absolute path:
 * "which folder am I in" is the usual mistake; for PostgreSQL, the server and database), and
 * only the commands that exist to create a database (`migrate`, `seed`, `serve`) or are told
 * to (`--create`) make a new SQLite file: a key created in a new empty database by accident is
 * a key the running server has never heard of. A PostgreSQL database (DATABASE_URL) is made
 * by its administrator; every command migrates it as the server does.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { describeDatabase, openEngine, type AnyEngine } from '../db/connect.js'
import { configOrExit } from '../server.js'
import { createServices, type Services } from '../modules/container.js'
import { Fatal } from './fatal.js'

/** Fatal if the configuration names a SQLite file that does not exist and `create` is false. */
function assertDatabaseExists (create: boolean, path: string): void {
  const shown = path === ':memory:' ? path : resolve(path)
  if (!create && path !== ':memory:' && !existsSync(path)) {
    throw new Fatal(`no database at ${shown} (DATABASE_PATH): run this where the server runs, or set DATABASE_PATH ` +
      'to its database; to make a new one, use `claimledger migrate` or this command\'s --create')
  }
}

/** Runs `fn` on the configured database and closes it, whatever happens. */
export async function withServices<T> (create: boolean, fn: (services: Services, engine: AnyEngine) => T | Promise<T>): Promise<T> {
  const config = configOrExit()
  if (config.databaseUrl === undefined) assertDatabaseExists(create, config.databasePath)
  const engine = await openEngine(config)
  // Named once it opened: a database that cannot be opened gets its one-line reason instead.
  const where = describeDatabase(config)
  process.stderr.write(`claimledger: database ${where === ':memory:' || config.databaseUrl !== undefined ? where : resolve(where)}\n`)
  try {
    return await fn(createServices(engine), engine)
  } finally {
    await engine.close()
  }
}
