import Database from 'better-sqlite3'

/**
 * A connection that reads only, opened read-write on purpose: a read-only connection to a WAL
 * database creates its -wal and -shm files and cannot remove them when it closes, and a stray
 * -wal beside a stopped server's database looks like a crash to `restore`. `query_only` keeps
 * it from writing anything else.
 */
export function openQueryOnly (path: string, { forVacuumInto = false } = {}): Database.Database {
  const db = new Database(path, { fileMustExist: true })
  // VACUUM INTO writes only its target, but query_only refuses it all the same.
  if (!forVacuumInto) db.pragma('query_only = ON')
  db.pragma('busy_timeout = 5000')
  return db
}
