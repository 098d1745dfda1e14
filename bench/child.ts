/** Starting and stopping the server child process (bench/server.ts) from the parent. */
import { fork, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ServerReady } from './server.js'

export interface RunningServer {
  url: string
  pid: number
  /** Peak resident set size so far (VmHWM), in bytes; undefined where /proc is missing. */
  peakRss: () => number | undefined
  /**
   * Bytes the process has caused to be written to storage so far (/proc/<pid>/io write_bytes:
   * counted when a page is dirtied, so SQLite's WAL appends and its checkpoints' writes into the
   * database file both count, whether or not the kernel has flushed them yet); undefined where
   * /proc is missing.
   */
  writtenBytes: () => number | undefined
  stop: () => Promise<void>
}

const entry = fileURLToPath(new URL('./server.ts', import.meta.url))
const running = new Set<ChildProcess>()
// However the parent ends (error, Ctrl-C), no server is left behind holding a port or the database.
process.on('exit', () => { for (const child of running) child.kill('SIGKILL') })

/** `nodeArgs`: extra node flags for the child, such as --cpu-prof. */
export async function startServer (args: string[], nodeArgs: string[] = []): Promise<RunningServer> {
  // `--import tsx` lets the child run TypeScript like the parent; stdout/stderr pass through.
  const child = fork(entry, args, { execArgv: ['--import', 'tsx', ...nodeArgs], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  running.add(child)
  const exited = new Promise<void>((resolve) => child.once('exit', () => { running.delete(child); resolve() }))
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as ServerReady).port))
    child.once('exit', (code) => reject(new Error(`the bench server (${args[0]}) exited with code ${code} before listening`)))
  })
  const pid = child.pid as number
  return {
    url: `http://127.0.0.1:${port}`,
    pid,
    peakRss: () => {
      try {
        const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
        return kb === undefined ? undefined : Number(kb) * 1024
      } catch {
        return undefined
      }
    },
    writtenBytes: () => {
      try {
        const bytes = /^write_bytes:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]
        return bytes === undefined ? undefined : Number(bytes)
      } catch {
        return undefined
      }
    },
    stop: async () => {
      if (child.exitCode === null) child.disconnect()
      // A server still busy after 10 s (say, a checkpoint of a huge WAL) is killed.
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
  }
}
