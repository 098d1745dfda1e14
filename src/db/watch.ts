/**
 * Whether the open database can still take writes, for /ready and for each write: SQLite
 * itself keeps writing happily into a file that was deleted under it (the unlinked inode)
 * and has no notion of "the disk is almost full", so we look at the file and the disk.
 * Each look is one system call of a few µs (see README, Operating Claimledger).
 */
import { accessSync, constants, statfsSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseUnavailable, faultDescriptions, storageFault, type StorageFault } from './errors.js'

/** How long a failed write keeps /ready failing when no write succeeds after it. */
export const FAULT_MEMORY_MS = 30_000

export interface FileWatch {
  /** Throws DatabaseUnavailable('gone') when the path no longer names the file that was opened. */
  assertInPlace: () => void
  /** Why the file cannot take writes now (gone, replaced, read-only, disk nearly full), if it cannot. */
  problem: () => string | undefined
}

/** Watches the database file at absolute `path`, opened just now; `minFreeBytes` 0 skips the disk check. */
export function watchFile (path: string, minFreeBytes: number): FileWatch {
  const opened = statSync(path)
  const moved = () => {
    const now = statSync(path, { throwIfNoEntry: false })
    if (now === undefined) return 'the database file has been deleted'
    if (now.ino !== opened.ino || now.dev !== opened.dev) return 'the database file has been replaced since it was opened'
    return undefined
  }
  return {
    assertInPlace: () => {
      const why = moved()
      if (why !== undefined) {
        throw new DatabaseUnavailable(`DATABASE_PATH ${JSON.stringify(path)}: ${why}; nothing more is written to it`, 'gone')
      }
    },
    problem: () => {
      const why = moved()
      if (why !== undefined) return `${why}; restore it and restart`
      try {
        accessSync(path, constants.W_OK)
      } catch {
        // The open handle may still write, but a restart could not: say so now, not then.
        return 'the database file is read-only'
      }
      if (minFreeBytes === 0) return undefined
      const { bavail, bsize } = statfsSync(dirname(path))
      const free = bavail * bsize
      if (free >= minFreeBytes) return undefined
      return `the database's disk has ${mib(free)} MiB free, under the ${mib(minFreeBytes)} MiB of DATABASE_MIN_FREE_MB`
    }
  }
}

const mib = (bytes: number) => Math.floor(bytes / 1024 / 1024)

export interface FaultMemory {
  /** Remembers a write's storage fault (ignores every other error, and a busy lock). */
  note: (error: unknown) => void
  /** A write succeeded: the storage takes writes again. */
  cleared: () => void
  /** The last write's fault while it is recent, else undefined. */
  problem: () => string | undefined
}

/**
 * The last write's storage fault (disk full, I/O error, read-only, damaged, file gone). It
 * fails /ready until a write succeeds or FAULT_MEMORY_MS pass without another failure: then
 * the instance is offered traffic again, and the next failing write fails it again. Without
 * the expiry, an instance taken out of rotation would get no write that could clear it.
 */
export function faultMemory (now: () => number = Date.now): FaultMemory {
  let last: { fault: StorageFault, at: number } | undefined
  return {
    note: (error) => {
      const fault = storageFault(error)
      if (fault !== undefined && fault !== 'busy') last = { fault, at: now() }
    },
    cleared: () => { last = undefined },
    problem: () => {
      if (last === undefined) return undefined
      const ago = now() - last.at
      if (ago >= FAULT_MEMORY_MS) {
        last = undefined
        return undefined
      }
      return `a write failed ${Math.round(ago / 1000)} s ago: ${faultDescriptions[last.fault]}`
    }
  }
}
