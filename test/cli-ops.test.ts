/**
 * The operator's side of the `claimledger` command: which database it works on, refusing to
 * make one by accident, files that are not there, and backup and restore while the server is
 * busy. The CLI runs as its own process, beside an app writing to the same SQLite file.
 */
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import t from 'tap'
import { claimInput, ensureBuilt, harness } from './helpers.js'

const root = ensureBuilt()
t.setTimeout(180_000)

interface Run { code: number, stdout: string, stderr: string }

async function cli (env: Record<string, string>, ...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/claimledger.js', ...args],
      { cwd: root, env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env }, timeout: 90_000, maxBuffer: 64 * 1024 * 1024 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const { code, stdout, stderr, signal } = error as { code: number, stdout: string, stderr: string, signal?: string }
    return { code: signal === undefined || signal === null ? code : -1, stdout, stderr }
  }
}

t.test('every command names its database, and only migrate, seed or --create make one', async (t) => {
  const h = await harness(t)
  const elsewhere = { DATABASE_PATH: join(h.dir, 'wrong-folder', 'claims.db') }
  const refused = await cli(elsewhere, 'keys', 'create', '--name', 'desk', '--role', 'reviewer')
  t.equal(refused.code, 2)
  t.equal(refused.stdout, '', 'no key printed')
  t.match(refused.stderr, /^claimledger: no database at .*wrong-folder\/claims\.db \(DATABASE_PATH\).*--create\n$/)
  t.notOk(existsSync(elsewhere.DATABASE_PATH), 'nothing created')
  for (const args of [['keys', 'list'], ['import', join(root, 'seeds', 'mail-online-2020-10-21.json')], ['export'], ['audit', 'verify']]) {
    t.equal((await cli(elsewhere, ...args)).code, 2, `${args.join(' ')} refuses too`)
  }
  t.notOk(existsSync(elsewhere.DATABASE_PATH))

  const made = await cli(elsewhere, 'keys', 'create', '--name', 'desk', '--role', 'reviewer', '--create')
  t.equal(made.code, 0, made.stderr)
  t.match(made.stdout, /^clk_\S+\n$/, 'stdout is the key alone')
  t.match(made.stderr, `claimledger: database ${elsewhere.DATABASE_PATH}\n`)

  const here = { DATABASE_PATH: h.config.databasePath }
  const listed = await cli(here, 'keys', 'list')
  t.equal(listed.code, 0)
  t.equal(listed.stderr, `claimledger: database ${h.config.databasePath}\n`)
  t.match(listed.stdout, /editor key/)
})

t.test('files that are not there: one line, exit 2', async (t) => {
  const h = await harness(t)
  const env = { DATABASE_PATH: h.config.databasePath }
  for (const [args, file] of [[['import'], 'nofile.ndjson'], [['restore'], 'nofile.db'], [['import'], '.']] as const) {
    const run = await cli(env, ...args, file)
    t.equal(run.code, 2, `${args[0]} ${file}`)
    t.match(run.stderr, new RegExp(`^(claimledger: database .*\\n)?claimledger: cannot read ${file.replace('.', '\\.')}: (no such file|it is a directory)\\n$`))
  }
  const help = await cli(env, 'export', '--help')
  for (const flag of ['--status', '--speaker-id', '--source-id', '--topic', '--claimed-from', '--claimed-to', '--sort']) {
    t.match(help.stdout, new RegExp(`${flag} \\S*\\s+\\S.*`), `${flag} is described`)
  }
})

t.test('backup finishes while the server writes without pause; restore refuses a stale log and keeps what it replaces', async (t) => {
  const h = await harness(t)
  const editor = h.as('editor')
  // A few megabytes, so a page-by-page copy would have many steps for writes to restart.
  const padding = 'Context recorded for the backup test. '.repeat(120)
  for (let batch = 0; batch < 5; batch++) {
    const items = Array.from({ length: 200 }, (_, i) => claimInput({ text: `Claim ${batch}-${i}`, context: padding }))
    t.equal((await editor('POST', '/v1/claims/import', { items })).data.created, 200)
  }
  const env = { DATABASE_PATH: h.config.databasePath }
  const copy = join(h.dir, 'backup.db')

  const backupRun = { finished: false }
  const running = cli(env, 'backup', copy).finally(() => { backupRun.finished = true })
  // Writes back to back until the backup ends (bounded in count and time).
  let writes = 0
  const until = Date.now() + 60_000
  while (!backupRun.finished && writes < 20_000 && Date.now() < until) {
    const res = await editor('POST', '/v1/claims', claimInput({ text: `Written during the backup ${writes}` }))
    if (res.statusCode === 201) writes++
  }
  const result = await running
  t.equal(result.code, 0, result.stderr)
  t.ok(writes > 0, `${writes} writes landed during the backup`)
  t.match(result.stdout, /^backed up to .*backup\.db: [\d.]+ MB, \d+ audit events, chain ok \(head seq \d+\), in [\d.]+ s\n$/)
  t.notOk(existsSync(`${copy}.partial`))
  const backedUp = new Database(copy, { readonly: true })
  const inCopy = (backedUp.prepare('SELECT count(*) AS n FROM claims').get() as { n: number }).n
  backedUp.close()
  t.ok(inCopy >= 1000, 'the copy holds what was committed before it began')

  const again = await cli(env, 'backup', copy)
  t.equal(again.code, 2)
  t.match(again.stderr, /backup\.db exists: a backup never overwrites a file/)

  // Restore into a folder where an old server left its log behind.
  const target = join(h.dir, 'restored', 'claims.db')
  const older = await cli({ DATABASE_PATH: target }, 'migrate')
  t.equal(older.code, 0)
  writeFileSync(`${target}-wal`, 'a log that belongs to the old database')
  const refused = await cli({ DATABASE_PATH: target }, 'restore', copy)
  t.equal(refused.code, 2)
  t.match(refused.stderr, /^claimledger: refusing to restore: .*claims\.db-wal is beside .*the server is still running/)
  t.equal(refused.stderr.trim().split('\n').length, 1)

  const notADatabase = join(h.dir, 'notes.txt')
  writeFileSync(notADatabase, 'not a database')
  t.match((await cli({ DATABASE_PATH: target }, 'restore', notADatabase)).stderr, /notes\.txt (cannot be opened as a database|is damaged)/)

  rmSync(`${target}-wal`)
  const restored = await cli({ DATABASE_PATH: target }, 'restore', copy)
  t.equal(restored.code, 0, restored.stderr)
  t.match(restored.stdout, /^restored .*backup\.db to .*claims\.db: \d+ audit events, chain ok; the database it replaced is kept as .*claims\.db\.replaced-/)
  t.ok(readdirSync(join(h.dir, 'restored')).some((f) => f.startsWith('claims.db.replaced-')))
  const verify = await cli({ DATABASE_PATH: target }, 'audit', 'verify')
  t.equal(verify.code, 0)
  t.match(verify.stdout, /"ok":true/)
  const db = new Database(target, { readonly: true })
  t.equal((db.prepare('SELECT count(*) AS n FROM claims').get() as { n: number }).n, inCopy, 'the restored database is the copy')
  db.close()
})
