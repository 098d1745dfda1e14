/**
 * Every way a DATABASE_PATH can be unusable is refused with one line that names the
 * variable and leaves the file as it was; the server prints it and exits 1, every CLI
 * command prints `claimledger: …` and exits 2, never a stack trace.
 */
import {
  chmodSync, chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { DatabaseUnavailable } from '../src/db/errors.js'
import { openDatabase } from '../src/db/open.js'
import { runToExit, startServer, stop, unprivileged } from './process.js'

t.setTimeout(180_000)

const dir = mkdtempSync(join(tmpdir(), 'claimledger-path-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

function claimledgerDatabase (path: string) {
  mkdirSync(join(path, '..'), { recursive: true })
  openDatabase(path).close()
  return path
}

const text = join(dir, 'notes.txt')
writeFileSync(text, 'not a database\n')

const readOnlyDir = join(dir, 'read-only-dir')
mkdirSync(readOnlyDir, { mode: 0o555 })

const readOnlyFile = claimledgerDatabase(join(dir, 'ro', 'claims.db'))
chmodSync(readOnlyFile, 0o444)

const damaged = claimledgerDatabase(join(dir, 'damaged', 'claims.db'))
const fd = openSync(damaged, 'r+')
writeSync(fd, Buffer.alloc(2000, 0x5a), 0, 2000, 100) // the schema page, after the 100-byte header
closeSync(fd)

const foreign = join(dir, 'other-app.db')
const other = new Database(foreign)
other.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES (\'mine\')')
other.close()

const deleted = claimledgerDatabase(join(dir, 'deleted', 'claims.db'))
rmSync(deleted)

// The spawned processes run as nobody when the tests run as root (see unprivileged): they
// own everything here, and the modes set above decide what they may write.
chmodSync(dir, 0o755)
if (unprivileged.uid !== undefined) {
  for (const entry of ['', ...readdirSync(dir, { recursive: true }) as string[]]) {
    chownSync(join(dir, entry), unprivileged.uid, unprivileged.gid as number)
  }
}

/** The bytes of the file (if it is one) and of any marker beside it. */
function snapshot (path: string) {
  const read = (p: string) => {
    try { return readFileSync(p).toString('base64') } catch { return null }
  }
  return { file: read(path), marker: read(path + '.created') }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

t.test('openDatabase refuses each unusable path with one line naming DATABASE_PATH, and changes nothing', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['a file that is not a database', text, /is not a Claimledger database \(SQLite: file is not a database\): check the path/],
    ['a directory', dir, /is a directory; it must name a database file/],
    ['a path under a file', join(text, 'claims.db'), /cannot be used: a part of it is a file, not a directory$/],
    ['a damaged database', damaged, /is damaged \(SQLite: database disk image is malformed\): restore it from a backup$/],
    ['another application\'s SQLite database', foreign, /is a SQLite database of something else .* check the path$/],
    ['a deleted database', deleted, new RegExp('is missing, but a Claimledger database was there ' +
      '\\(marker .*claims\\.db\\.created, written on \\S+\\): restore it from a backup, or delete the marker')]
  ]
  for (const [what, path, reason] of cases) {
    const before = snapshot(path)
    const error = t.throws(() => openDatabase(path), DatabaseUnavailable, what) as Error
    t.match(error.message, new RegExp(`^DATABASE_PATH "${escape(path)}" `), `${what}: names the variable and the path`)
    t.match(error.message, reason, what)
    t.notMatch(error.message, /\n/, `${what}: one line`)
    t.same(snapshot(path), before, `${what}: the file is as it was, and no marker was written beside it`)
  }
})

t.test('the server exits 1 and the CLI 2, each with that one line (read-only places too)', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['a directory', dir, /is a directory/],
    ['a file in a read-only directory', join(readOnlyDir, 'claims.db'), /is in a read-only directory/],
    ['a read-only file', readOnlyFile, /is read-only to this user/],
    ['a damaged database', damaged, /is damaged/]
  ]
  for (const [what, path, reason] of cases) {
    const env = { DATABASE_PATH: path, ADMIN_API_KEY: 'path-test-key-0123456789abcdefghijklmnop', PORT: '0' }
    const server = await runToExit(['dist/server.js'], env, unprivileged)
    t.equal(server.code, 1, `${what}: the server exits 1`)
    t.match(server.stderr, new RegExp(`^DATABASE_PATH "${escape(path)}" .*\n$`), `${what}: one line naming the variable`)
    t.match(server.stderr, reason, what)
    t.equal(server.stdout, '', `${what}: nothing else`)

    const cli = await runToExit(['bin/claimledger.js', 'migrate'], env, unprivileged)
    t.equal(cli.code, 2, `${what}: claimledger migrate exits 2`)
    t.match(cli.stderr, new RegExp(`^claimledger: DATABASE_PATH "${escape(path)}" .*\n$`), `${what}: one line`)
    t.match(cli.stderr, reason, what)
  }
})

t.test('a database file made read-only under a running server fails /ready (a restart could not write it)', async (t) => {
  const path = join(dir, 'running', 'claims.db')
  mkdirSync(join(dir, 'running'))
  if (unprivileged.uid !== undefined) chownSync(join(dir, 'running'), unprivileged.uid, unprivileged.gid as number)
  const server = await startServer({ DATABASE_PATH: path, ADMIN_API_KEY: 'path-test-key-0123456789abcdefghijklmnop' }, unprivileged)
  t.teardown(() => { server.child.kill('SIGKILL') })
  t.equal((await fetch(`${server.base}/ready`)).status, 200)
  chmodSync(path, 0o444)
  const ready = await fetch(`${server.base}/ready`)
  t.equal(ready.status, 503)
  t.match(await ready.json(), { status: 503, detail: 'the database file is read-only' })
  t.equal(await stop(server), 0)
})
