/**
 * `claimledger backup` and `claimledger restore`.
 *
 * A backup is `VACUUM INTO` a new file (in a worker thread, with a progress bar and a time
 * limit): a consistent snapshot that the server's writes cannot starve, compacted, written
 * under `.partial` and renamed only once complete, then checked (SQLite's quick_check and the
 * audit chain). A restore checks the copy the same way, refuses to put it beside a stale
 * `-wal`/`-shm` (SQLite would replay the old database's log into the restored file), and keeps
 * the database it replaces.
 */
import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs'
import { once } from 'node:events'
import { resolve } from 'node:path'
import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { Presets, SingleBar } from 'cli-progress'
import { verifyChain, type VerifyResult } from '../audit/ledger.js'
import { openDatabase } from '../db/open.js'
import { Fatal } from './fatal.js'

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
    const chain = verifyChain(sqlite)
    if (!chain.ok) throw new Fatal(`${path}: the audit chain is broken at seq ${chain.firstBadSeq}`)
    return { bytes: statSync(path).size, chain }
  } finally {
    sqlite.close()
  }
}

export interface BackupOptions { timeoutMs: number, progress: boolean, log: (line: string) => void }

export async function backup (source: string, target: string, opts: BackupOptions): Promise<Checked> {
  if (existsSync(target)) throw new Fatal(`${target} exists: a backup never overwrites a file; choose a new name`)
  const partial = `${target}.partial`
  rmSync(partial, { force: true }) // left by a backup that was killed: never a complete copy
  const expected = (() => {
    const db = new Database(source, { readonly: true, fileMustExist: true })
    try {
      const [pages, free, size] = ['page_count', 'freelist_count', 'page_size'].map((p) => db.pragma(p, { simple: true }) as number)
      return ((pages ?? 0) - (free ?? 0)) * (size ?? 4096)
    } finally {
      db.close()
    }
  })()

  const worker = new Worker(new URL('./backup-worker.js', import.meta.url), { workerData: { source: resolve(source), target: resolve(partial) } })
  const bar = opts.progress ? new SingleBar({ format: 'backup [{bar}] {percentage}% | {copied}/{total_mb} MB | {duration}s' }, Presets.shades_classic) : undefined
  bar?.start(expected, 0, { copied: '0', total_mb: (expected / 1e6).toFixed(1) })
  const poll = setInterval(() => {
    const copied = existsSync(partial) ? statSync(partial).size : 0
    bar?.update(Math.min(copied, expected), { copied: (copied / 1e6).toFixed(1) })
  }, 250)
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      once(worker, 'message'),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Fatal(`the backup did not finish within ${opts.timeoutMs / 1000} s (--timeout); nothing was written to ${target}`)), opts.timeoutMs)
      })
    ])
  } catch (error) {
    // SQLite cannot be interrupted mid-statement from here: let the process end, and the worker with it.
    worker.unref()
    rmSync(partial, { force: true })
    throw error instanceof Fatal ? error : new Fatal(`the backup failed: ${(error as Error).message}`)
  } finally {
    clearTimeout(timer)
    clearInterval(poll)
    bar?.update(expected, { copied: (expected / 1e6).toFixed(1) })
    bar?.stop()
  }
  renameSync(partial, target)
  return checkCopy(target)
}

export interface RestoreResult extends Checked { replaced?: string }

/** Puts a checked backup at `target`, keeping what was there as `<target>.replaced-<time>`. */
export function restore (backupPath: string, target: string, now = new Date()): RestoreResult {
  const checked = checkCopy(backupPath)
  const stale = ['-wal', '-shm', '-journal'].map((suffix) => target + suffix).filter((path) => existsSync(path))
  if (stale.length > 0) {
    throw new Fatal(`refusing to restore: ${stale.join(' and ')} ${stale.length > 1 ? 'are' : 'is'} beside ${target}. ` +
      'Either the server is still running (stop it first) or it stopped uncleanly; SQLite would replay that log into the ' +
      'restored file and damage it. Stop the server, then move those files away (they belong to the database being replaced) and run restore again.')
  }
  const incoming = `${target}.restoring`
  copyFileSync(backupPath, incoming)
  let replaced: string | undefined
  if (existsSync(target)) {
    replaced = `${target}.replaced-${now.toISOString().replace(/[:.]/g, '-')}`
    renameSync(target, replaced)
  }
  renameSync(incoming, target)
  // Opening it once applies any migration this build has and the copy lacks.
  openDatabase(target).close()
  return { ...checked, ...(replaced === undefined ? {} : { replaced }) }
}
