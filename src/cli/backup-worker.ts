/**
 * Runs `VACUUM INTO` off the CLI's main thread, so that the main thread can show progress
 * and enforce a time limit while SQLite copies. One statement, one read transaction: a
 * snapshot that concurrent writers cannot restart (the online backup API restarted on every
 * commit and never finished under a steady trickle of writes).
 */
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'

const { source, target } = workerData as { source: string, target: string }
const db = new Database(source, { readonly: true, fileMustExist: true })
try {
  db.pragma('busy_timeout = 5000')
  db.prepare('VACUUM INTO ?').run(target)
} finally {
  db.close()
}
parentPort?.postMessage('done')
