/**
 * What can go wrong with the database's storage, as values with no HTTP in them: the server
 * prints them as one line at start, the CLI as `claimledger: …`, and the problem mapping
 * (http/problems.ts) turns them into honest 503/507 answers instead of a generic 500.
 */

/** A storage failure a client can do nothing about but wait (or an operator can fix). */
export type StorageFault = 'full' | 'read-only' | 'damaged' | 'io' | 'busy' | 'gone'

/**
 * The database cannot be used: it cannot be opened (the message names DATABASE_PATH and
 * says what to do, in one line), or its file vanished while in use (`fault: 'gone'`).
 */
export class DatabaseUnavailable extends Error {
  readonly fault: StorageFault | undefined

  constructor (message: string, fault?: StorageFault) {
    super(message)
    this.name = 'DatabaseUnavailable'
    this.fault = fault
  }
}

/** Short phrases for operators and for /ready; never a path. */
export const faultDescriptions: Record<StorageFault, string> = {
  full: 'the disk is full',
  'read-only': 'the database is read-only',
  damaged: 'the database file is damaged',
  io: 'the disk reported an I/O error',
  busy: 'another process held the database\'s write lock too long',
  gone: 'the database file was deleted or replaced while in use'
}

/** The storage fault behind `error` (SQLite's extended result codes, or a vanished file), if it is one. */
export function storageFault (error: unknown): StorageFault | undefined {
  if (error instanceof DatabaseUnavailable) return error.fault
  const code = (error as { code?: unknown } | null | undefined)?.code
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined
  if (code === 'SQLITE_FULL') return 'full'
  if (code.startsWith('SQLITE_READONLY')) return 'read-only'
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'damaged'
  // CANTOPEN after start: SQLite could not reopen a file beside the database (-wal, -shm).
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') return 'io'
  if (code.startsWith('SQLITE_BUSY')) return 'busy'
  return undefined
}

/**
 * One line for an operator about a database failure, or undefined when `error` is not one
 * (a bug, which keeps its stack). `path` names the file when the caller knows it.
 */
export function failureLine (error: unknown, path?: string): string | undefined {
  if (error instanceof DatabaseUnavailable) return error.message
  const fault = storageFault(error)
  if (fault === undefined) return undefined
  const where = path === undefined ? 'the database' : `DATABASE_PATH ${JSON.stringify(path)}`
  return `${where} failed: ${faultDescriptions[fault]} (SQLite: ${(error as Error).message})`
}
