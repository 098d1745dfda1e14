/**
 * `claimledger backup` and `claimledger restore`.
 *
 * A backup is `VACUUM INTO` a new file (in a worker thread, with a progress bar and a time
 * limit): a consistent snapshot that the server's writes cannot starve, compacted, written
 * under `.partial` and renamed only once complete, then checked (SQLite's quick_check and the
 * audit chain). A restore checks the copy the same way, folds a stopped server's `-wal` into
 * the database it replaces (and keeps that aside), and refuses while the log cannot be folded
 * because a server still has the file open: SQLite would replay that log into the restored file.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { once } from 'node:events'
import { dirname, resolve } from 'node:path'
import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { Presets, SingleBar } from 'cli-progress'
import { verifyEvents, type VerifyResult } from '../modules/audit/ledger.js'
import { eventsOf } from '../modules/audit/sqlite.js'
import { openDatabase } from '../db/open.js'
import { Fatal } from './fatal.js'
import { openQueryOnly } from './query-only.js'

export interface Checked { bytes: number, chain: VerifyResult }

/** SQLite's own consistency check and the audit chain of a database file; Fatal if either fails. */
export function checkCopy (path: string): Checked {
  let sqlite: Database.Database
  try {
    sqlite = new Database(path, { readonly: true, fileMustExist: true })
  } catch (error) {
    throw new Fatal(`${path} cannot be opened as a database: ${(error as Error).message}`)
  }
  try {
    const check = (() => {
      try { return sqlite.pragma('quick_check', { simple: true }) } catch (error) { return (error as Error).message }
    })()
    if (check !== 'ok') throw new Fatal(`${path} is damaged (SQLite quick_check: ${String(check)})`)
    const hasLedger = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'").get() !== undefined
    if (!hasLedger) throw new Fatal(`${path} is not a Claimledger database (it has no audit_events table)`)
    const chain = verifyEvents(eventsOf(sqlite))
    if (!chain.ok) throw new Fatal(`${path}: the audit chain is broken at seq ${chain.firstBadSeq}`)
    return { bytes: statSync(path).size, chain }
  } finally {
    sqlite.close()
  }
}

export interface BackupOptions {
  timeoutMs: number
  /** A progress bar (a terminal); otherwise a line to `log` every `progressEveryMs` (default 5 s). */
  progress: boolean
  log: (line: string) => void
  progressEveryMs?: number
}

export async function backup (source: string, target: string, opts: BackupOptions): Promise<Checked> {
  if (existsSync(target)) throw new Fatal(`${target} exists: a backup never overwrites a file; choose a new name`)
  const partial = `${target}.partial`
  try {
    mkdirSync(dirname(resolve(target)), { recursive: true })
    rmSync(partial, { force: true }) // left by a backup that was killed: never a complete copy
  } catch (error) {
    throw new Fatal(`cannot back up to ${target}: ${(error as Error).message}`)
  }
  const expected = (() => {
    const db = openQueryOnly(source)
    try {
      const [pages, free, size] = ['page_count', 'freelist_count', 'page_size'].map((p) => db.pragma(p, { simple: true }) as number)
      return ((pages ?? 0) - (free ?? 0)) * (size ?? 4096)
    } finally {
      db.close()
    }
  })()

  const worker = new Worker(new URL('./backup-worker.js', import.meta.url), { workerData: { source: resolve(source), target: resolve(partial) } })
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1)
  const bar = opts.progress ? new SingleBar({ format: 'backup [{bar}] {percentage}% | {copied}/{total_mb} MB | {duration}s' }, Presets.shades_classic) : undefined
  bar?.start(expected, 0, { copied: '0', total_mb: mb(expected) })
  // Without a terminal (cron, CI), a line every few seconds instead of the bar.
  const everyMs = opts.progressEveryMs ?? 5000
  let lastLine = Date.now()
  const poll = setInterval(() => {
    const copied = existsSync(partial) ? statSync(partial).size : 0
    bar?.update(Math.min(copied, expected), { copied: mb(copied) })
    if (bar === undefined && Date.now() - lastLine >= everyMs) {
      lastLine = Date.now()
      opts.log(`backup: ${mb(copied)} of about ${mb(expected)} MB copied`)
    }
  }, Math.max(1, Math.min(250, everyMs)))
  let timer: NodeJS.Timeout | undefined
  try {
    const [answer] = await Promise.race([
      once(worker, 'message') as Promise<[{ done?: true, error?: string }]>,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Fatal(`the backup did not finish within ${opts.timeoutMs / 1000} s (--timeout); nothing was written to ${target}`)), opts.timeoutMs)
      })
    ])
    if (answer.error !== undefined) throw new Fatal(`the backup to ${target} failed: ${answer.error}`)
  } catch (error) {
    // SQLite cannot be interrupted mid-statement from here: let the process end, and the worker
    // with it. The worker may create or still write the partial file after this point, so it is
    // removed now, when the worker ends, and when the process does, whichever comes first.
    worker.unref()
    const discard = () => { rmSync(partial, { force: true }) }
    discard()
    worker.once('exit', discard)
    process.once('exit', discard)
    throw error instanceof Fatal ? error : new Fatal(`the backup failed: ${(error as Error).message}`)
  } finally {
    clearTimeout(timer)
    clearInterval(poll)
    bar?.update(expected, { copied: (expected / 1e6).toFixed(1) })
    bar?.stop()
  }
  // Checked before it takes its name: a file called like a backup is one that passed.
  try {
    const checked = checkCopy(partial)
    renameSync(partial, target)
    return checked
  } catch (error) {
    rmSync(partial, { force: true })
    throw error
  }
}

export interface RestoreResult extends Checked { replaced?: string }

/**
 * Folds a stopped server's -wal back into its database, so the file can be moved aside whole.
 * True when nothing is left beside it; false when a -wal stays, which means another process
 * (a running server) still has the database open.
 */
function foldLog (target: string): boolean {
  if (existsSync(target)) {
    const db = new Database(target, { fileMustExist: true })
    try {
      db.pragma('busy_timeout = 2000')
      db.pragma('wal_checkpoint(TRUNCATE)')
    } catch {
      // Locked by its server, or damaged: what is left beside it below decides.
    } finally {
      db.close()
    }
  }
  return ['-wal', '-journal'].every((suffix) => !existsSync(target + suffix))
}

/** Puts a checked backup at `target`, keeping what was there as `<target>.replaced-<time>`. */
export function restore (backupPath: string, target: string, now = new Date()): RestoreResult {
  const checked = checkCopy(backupPath)
  if (!foldLog(target)) {
    const left = ['-wal', '-journal'].map((suffix) => target + suffix).filter((path) => existsSync(path))
    throw new Fatal(`refusing to restore: ${left.join(' and ')} ${left.length > 1 ? 'are' : 'is'} beside ${target} and could not be ` +
      'folded into it, so a server still has it open (stop it first): SQLite would replay that log into the restored file ' +
      'and damage it')
  }
  try {
    mkdirSync(dirname(resolve(target)), { recursive: true })
    const incoming = `${target}.restoring`
    copyFileSync(backupPath, incoming)
    let replaced: string | undefined
    if (existsSync(target)) {
      replaced = `${target}.replaced-${now.toISOString().replace(/[:.]/g, '-')}`
      renameSync(target, replaced)
    }
    rmSync(`${target}-shm`, { force: true }) // an index of the log just folded: never of the restored file
    renameSync(incoming, target)
    // Opening it once applies any migration this build has and the copy lacks.
    openDatabase(target).close()
    return { ...checked, ...(replaced === undefined ? {} : { replaced }) }
  } catch (error) {
    if (error instanceof Fatal) throw error
    throw new Fatal(`cannot restore into ${target}: ${(error as Error).message}`)
  }
}
