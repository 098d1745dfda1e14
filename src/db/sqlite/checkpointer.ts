/**
 * Checkpoints off the request path. In WAL mode every commit appends pages to the WAL, and a
 * checkpoint copies them back into the database file and fsyncs both. SQLite's automatic
 * checkpoint runs inside the COMMIT that crosses `wal_autocheckpoint` pages, on the
 * connection that committed: here, the server's one thread, which then answers nobody for
 * the length of the copy and the fsyncs. Instead a worker thread with a connection of its own
 * runs a PASSIVE checkpoint every `intervalMs` (it never waits for or blocks readers or the
 * writer), and the writer's automatic checkpoint stays only as a bound on the WAL's size,
 * should the worker fall behind (AUTOCHECKPOINT_BOUND pages).
 *
 * The worker is plain JavaScript evaluated in the thread (no file to find beside compiled
 * code), loading the same better-sqlite3 the server uses.
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/** The writer's own automatic checkpoint, kept as a bound: 10,000 pages (40 MiB of WAL). */
export const AUTOCHECKPOINT_BOUND = 10_000

/** How often the worker checkpoints, by default. */
export const CHECKPOINT_INTERVAL_MS = 200

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path, { fileMustExist: true })
db.pragma('busy_timeout = 1000')
// A checkpoint copies WAL frames into the file: it needs no page cache of its own.
db.pragma('cache_size = -256')
let checkpoints = 0
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)')
    checkpoints++
  } catch (error) {
    // Busy or failing now (a backup holding the file, a full disk): the next turn tries again,
    // and the writer's own bound still holds.
  }
}
const timer = setInterval(checkpoint, workerData.intervalMs)
parentPort.on('message', (message) => {
  if (message === 'count') return parentPort.postMessage({ checkpoints })
  if (message !== 'stop') return
  clearInterval(timer)
  db.close()
  parentPort.close()
})
`

export interface Checkpointer {
  /** Checkpoints made so far (for tests and the bench). */
  count: () => Promise<number>
  /** Stops the worker and waits for it to end. */
  stop: () => Promise<void>
}

/**
 * Starts the checkpointing worker for the database file at `path`. `lost` is called if the
 * worker ends by itself (it failed): the caller then checkpoints on its own again.
 */
export function startCheckpointer (path: string, lost: (why: string) => void, intervalMs = CHECKPOINT_INTERVAL_MS): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  // A small heap: the worker holds one connection and a timer (its RSS is counted in the bench).
  // No inherited loaders (tsx, tap's): the worker's code is plain JavaScript.
  const worker = new Worker(WORKER, {
    eval: true,
    execArgv: [],
    workerData: { path, driver, intervalMs },
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 }
  })
  // The worker must never keep a process alive on its own (a CLI command that forgot to close).
  worker.unref()
  let stopping = false
  let failure: string | undefined
  worker.on('error', (error) => { failure = error.message })
  const exited = new Promise<void>((resolve) => worker.once('exit', (code) => {
    if (!stopping) lost(failure ?? `the checkpointing worker exited with code ${code}`)
    resolve()
  }))
  return {
    count: async () => await new Promise<number>((resolve, reject) => {
      // Referenced while an answer is awaited: an unreferenced worker's message would not keep the process waiting for it.
      worker.ref()
      const gone = () => { reject(new Error('the checkpointing worker has ended')) }
      worker.once('exit', gone)
      worker.once('message', (message: { checkpoints: number }) => {
        worker.off('exit', gone)
        worker.unref()
        resolve(message.checkpoints)
      })
      worker.postMessage('count')
    }),
    stop: async () => {
      stopping = true
      worker.ref()
      worker.postMessage('stop')
      await exited
    }
  }
}
