/**
 * What can go wrong with the database's storage, as values with no HTTP in them: the server
 * prints them as one line at start, the CLI as `claimledger: …`, and the problem mapping
 * (http/problems.ts) turns them into honest 503/507 answers instead of a generic 500.
 */

/** A storage failure a client can do nothing about but wait (or an operator can fix). */
export type StorageFault = 'full' | 'read-only' | 'damaged' | 'io' | 'busy' | 'gone' | 'unreachable'

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
  gone: 'the database file was deleted or replaced while in use',
  unreachable: 'the database server cannot be reached or refused the connection'
}

/** PostgreSQL's SQLSTATEs (and the driver's socket errors) that are storage faults. */
function postgresFault (code: string): StorageFault | undefined {
  if (code === '53100') return 'full' // disk_full
  if (code === '25006') return 'read-only' // read_only_sql_transaction (a standby, or default_transaction_read_only)
  if (code === 'XX001' || code === 'XX002') return 'damaged' // data_corrupted, index_corrupted
  if (code === '58030') return 'io' // io_error
  // lock_not_available (lock_timeout: another instance held the write lock 5 s), too many connections
  if (code === '55P03' || code === '53300') return 'busy'
  // connection exceptions, the server shutting down or starting, sockets refused or reset
  if (code.startsWith('08') || code.startsWith('57P') || ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE'].includes(code)) return 'unreachable'
  return undefined
}

/** The driver's error inside `error`: drizzle wraps what pg throws (its `cause`). */
function codeOf (error: unknown): string | undefined {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
  }
  return undefined
}

/** The storage fault behind `error` (SQLite's extended result codes, or a vanished file), if it is one. */
export function storageFault (error: unknown): StorageFault | undefined {
  if (error instanceof DatabaseUnavailable) return error.fault
  const code = codeOf(error)
  if (code === undefined) return undefined
  if (!code.startsWith('SQLITE_')) return postgresFault(code)
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
  const refused = { '28P01': 'PostgreSQL refused the user or password', 28000: 'PostgreSQL refused the user', '3D000': 'the database does not exist' }[codeOf(error) ?? '']
  if (refused !== undefined) return `DATABASE_URL failed: ${refused} (PostgreSQL: ${(error as Error).message})`
  const fault = storageFault(error)
  if (fault === undefined) return undefined
  const postgres = !(codeOf(error) ?? '').startsWith('SQLITE_')
  const where = postgres ? 'DATABASE_URL' : path === undefined ? 'the database' : `DATABASE_PATH ${JSON.stringify(path)}`
  return `${where} failed: ${faultDescriptions[fault]} (${postgres ? 'PostgreSQL' : 'SQLite'}: ${(error as Error).message})`
}
