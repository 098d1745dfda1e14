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
import { copySqliteToPostgres, TargetNotEmpty } from '../db/copy.js'
import { openPostgresEngine } from '../db/postgres/engine.js'
import { openSqliteEngine } from '../db/sqlite/engine.js'
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

/**
 * `claimledger copy`: the SQLite database at `path` into the PostgreSQL one at `url`, then the
 * copy's chain verified and its head compared with the original's at the moment the copy began
 * (one read transaction: a server may go on writing; what it writes meanwhile is not copied,
 * and the last line says how many events that is).
 */
export async function copyToPostgres (path: string, url: string, log: (line: string) => void) {
  assertDatabaseExists(false, path)
  const source = openSqliteEngine(path)
  try {
    const target = await openPostgresEngine(url)
    try {
      log(`claimledger: copying ${resolve(path)} into ${describeDatabase({ databasePath: path, databaseUrl: url })}`)
      let last = ''
      const copied = await copySqliteToPostgres(source.database.db, target.postgres.db, ({ table, rows }) => {
        if (table !== last) log(`  ${table}…`)
        last = table
      }).catch((error: unknown) => { throw error instanceof TargetNotEmpty ? new Fatal(error.message) : error })
      const [before, after] = await Promise.all([createServices(source).ledger.verify(), createServices(target).ledger.verify()])
      if (!after.ok || !before.ok || after.events !== copied.rows.auditEvents || after.head?.hash !== copied.head?.hash) {
        throw new Fatal(`the copy's audit chain does not match the original's (${JSON.stringify({ original: before, copied: copied.head, copy: after })})`)
      }
      const later = before.events - after.events
      if (later > 0) log(`claimledger: ${later} audit event(s) written during the copy are not in it (the copy is the database as it was at seq ${after.head?.seq ?? 0})`)
      return { claims: copied.rows.claims ?? 0, reviews: copied.rows.reviews ?? 0, auditEvents: copied.rows.auditEvents ?? 0, head: after.head?.seq ?? 0 }
    } finally {
      await target.close()
    }
  } finally {
    await source.close()
  }
}
