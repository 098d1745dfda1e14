/**
 * Where the database lives, checked before and while SQLite opens it, so that every way a
 * DATABASE_PATH can be unusable ends in one line that names the variable and says what to
 * do, never a stack trace. Also the marker beside the file, which tells "never created
 * here" (create it) from "created here once and now missing" (refuse: restore it).
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseUnavailable, storageFault } from './errors.js'

/** The one-line refusal: `DATABASE_PATH "<path>" <why>`. */
const refused = (path: string, why: string) => new DatabaseUnavailable(`DATABASE_PATH ${JSON.stringify(path)} ${why}`)

/** The marker written beside a database file; its text explains itself to whoever finds it. */
export const markerPath = (path: string) => `${path}.created`

/**
 * Checks an absolute database path before SQLite opens it and creates its directory if
 * needed. Returns true when there is no database file yet (SQLite will create one).
 * Throws DatabaseUnavailable for a directory, a path under a file, a read-only location, or
 * a file that Claimledger created once and that has since gone missing.
 */
export function prepareLocation (path: string): boolean {
  const stat = statOrFail(path)
  if (stat?.isDirectory() === true) {
    throw refused(path, `is a directory; it must name a database file inside one (e.g. ${path}/claims.db)`)
  }
  const dir = dirname(path)
  try {
    mkdirSync(dir, { recursive: true })
  } catch (error) {
    throw refused(path, `cannot be used: its directory cannot be created (${(error as Error).message})`)
  }
  if (!writable(dir)) {
    throw refused(path, 'is in a read-only directory; SQLite needs to create files beside it (-wal, -shm)')
  }
  if (stat !== undefined) {
    if (!writable(path)) throw refused(path, 'is read-only to this user; Claimledger needs to write it')
    return false
  }
  if (existsSync(markerPath(path))) {
    throw refused(path, 'is missing, but a Claimledger database was there ' +
      `(marker ${markerPath(path)}${markedOn(path)}): restore it from a backup, ` +
      'or delete the marker to start afresh with a new, empty database')
  }
  return true
}

function statOrFail (path: string) {
  try {
    return statSync(path, { throwIfNoEntry: false })
  } catch (error) {
    // ENOTDIR: a path under a file (`/etc/passwd/claims.db`); EACCES: a directory we may not enter.
    throw refused(path, `cannot be used: ${(error as NodeJS.ErrnoException).code === 'ENOTDIR'
      ? 'a part of it is a file, not a directory'
      : (error as Error).message}`)
  }
}

function writable (path: string): boolean {
  try {
    accessSync(path, constants.W_OK)
    return true
  } catch {
    return false
  }
}

function markedOn (path: string): string {
  try {
    const found = /^Written on (\S+) /m.exec(readFileSync(markerPath(path), 'utf8'))
    return found === null ? '' : `, written on ${found[1]}`
  } catch {
    return ''
  }
}

/**
 * Writes the marker beside an open database that has none: when it was just created, and
 * for databases made before markers existed, so they are protected from then on.
 * Best effort for an existing database: it is usable without a marker.
 */
export function ensureMarker (path: string, created: boolean): void {
  if (existsSync(markerPath(path))) return
  const text = [
    `Written on ${new Date().toISOString()} by Claimledger, which ${created ? 'created' : 'opened'} the database ${path}.`,
    'While this file exists, Claimledger refuses to start if that database file is missing (deleted, or not',
    'restored), instead of silently creating a new, empty one. To start afresh on purpose, delete this file.',
    ''
  ].join('\n')
  try {
    writeFileSync(markerPath(path), text, { flag: 'wx' })
  } catch (error) {
    if (created) throw error
  }
}

/** What an open failure says after `DATABASE_PATH "…"`, by SQLite code or storage fault; `s` is SQLite's own words. */
const openFailures = new Map<string, (s: string) => string>([
  ['SQLITE_NOTADB', (s) => `is not a Claimledger database ${s}: check the path, or restore the file from a backup`],
  ['SQLITE_CANTOPEN', (s) => `cannot be opened or created ${s}: check that this user may read and write it and its directory`],
  ['damaged', (s) => `is damaged ${s}: restore it from a backup`],
  ['read-only', (s) => `is read-only ${s}; Claimledger needs to write it`],
  ['full', (s) => `cannot be written: its disk is full ${s}`],
  ['io', (s) => `cannot be read or written: a disk error ${s}`],
  ['busy', (s) => `is locked by another process ${s}; retry when it is done`]
])

/**
 * An error raised while SQLite opened, checked or migrated `path`, as one line naming
 * DATABASE_PATH; anything that is not about the file is returned as it is (a bug).
 */
export function openFailure (error: unknown, path: string): unknown {
  const say = openFailures.get(String((error as { code?: unknown }).code)) ?? openFailures.get(storageFault(error) ?? '')
  return say === undefined ? error : refused(path, say(`(SQLite: ${(error as Error).message})`))
}

/** A SQLite database that holds tables but no Claimledger migrations belongs to something else. */
export function foreignDatabase (path: string): DatabaseUnavailable {
  return refused(path, 'is a SQLite database of something else (it has tables, but no Claimledger ' +
    'migrations); Claimledger will not add its tables to it: check the path')
}
