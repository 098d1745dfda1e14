/**
 * Runs `VACUUM INTO` off the CLI's main thread, so that the main thread can show progress
 * and enforce a time limit while SQLite copies. One statement, one read transaction: a
 * snapshot that concurrent writers cannot restart (the online backup API restarted on every
 * commit and never finished under a steady trickle of writes).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { openQueryOnly } from './query-only.js'

const { source, target } = workerData as { source: string, target: string }
try {
  const db = openQueryOnly(source, { forVacuumInto: true })
  try {
    db.prepare('VACUUM INTO ?').run(target)
  } finally {
    db.close()
  }
  parentPort?.postMessage({ done: true })
} catch (error) {
  // Errors do not cross the thread boundary whole: send what the user needs to read.
  const { message, code } = error as { message?: string, code?: string }
  parentPort?.postMessage({ error: `${message ?? String(error)}${code === undefined ? '' : ` (${code})`}` })
}
