/**
 * The database a CLI command works on. Every command names it on stderr (the absolute path:
 * "which folder am I in" is the usual mistake), and only the commands that exist to create a
 * database (`migrate`, `seed`, `serve`) or are told to (`--create`) make a new one: a key
 * created in a new empty database by accident is a key the running server has never heard of.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { openDatabase, type Database_ } from '../db/open.js'
import { configOrExit } from '../server.js'
import { createStores, type Stores } from '../modules/container.js'
import { Fatal } from './fatal.js'

/** DATABASE_PATH; Fatal if there is no database there and `create` is false. */
function cliDatabasePath (create: boolean): string {
  const path = configOrExit().databasePath
  const shown = path === ':memory:' ? path : resolve(path)
  if (!create && path !== ':memory:' && !existsSync(path)) {
    throw new Fatal(`no database at ${shown} (DATABASE_PATH): run this where the server runs, or set DATABASE_PATH ` +
      'to its database; to make a new one, use `claimledger migrate` or this command\'s --create')
  }
  return path
}

/** Runs `fn` on the configured database and closes it, whatever happens. */
export async function withStores<T> (create: boolean, fn: (stores: Stores, database: Database_) => T | Promise<T>): Promise<T> {
  const path = cliDatabasePath(create)
  const database = openDatabase(path)
  // Named once it opened: a path that cannot be opened gets its one-line reason instead.
  process.stderr.write(`claimledger: database ${path === ':memory:' ? path : resolve(path)}\n`)
  try {
    return await fn(createStores(database), database)
  } finally {
    database.close()
  }
}
