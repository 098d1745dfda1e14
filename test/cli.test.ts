/**
 * `claimledger review` end to end: 10,000 verdicts from a file against a real server,
 * killed mid-way and rerun, must review every claim exactly once.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { ensureBuilt } from './helpers.js'

const root = ensureBuilt()
const N = 10_000
t.setTimeout(300_000)

const dir = mkdtempSync(join(tmpdir(), 'claimledger-cli-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const env = { PATH: process.env.PATH as string, DATABASE_PATH: join(dir, 'claims.db'), SEED: 'false', LOG_LEVEL: 'warn' }

function cli (...args: string[]) {
  const child = spawn(process.execPath, ['bin/claimledger.js', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => { stdout += String(chunk) })
  child.stderr.on('data', (chunk) => { stderr += String(chunk) })
  return { child, out: () => stdout, err: () => stderr, done: once(child, 'exit').then(([code]) => code as number | null) }
}

t.test('10,000 reviews from a CSV: killed mid-way, rerun, each claim reviewed exactly once', async (t) => {
  // 10,000 claims through the import path.
  const claimsFile = join(dir, 'claims.ndjson')
  writeFileSync(claimsFile, Array.from({ length: N }, (_, i) => JSON.stringify({
    text: `Claim number ${i}`, speaker: { name: `Speaker ${i % 50}` }, source: { title: 'Wire copy', publisher: 'Agency' }, claimedAt: '2020-10-21'
  })).join('\n'))
  const imported = cli('import', '--create', claimsFile)
  t.equal(await imported.done, 0, imported.err())
  t.match(imported.out(), `created ${N}, duplicates 0, failed 0`)
  const key = cli('keys', 'create', '--name', 'bulk script', '--role', 'reviewer')
  await key.done
  const apiKey = key.out().trim()

  const exported = cli('export', '--format', 'csv', '--sort', 'createdAt', '--out', join(dir, 'claims.csv'))
  t.equal(await exported.done, 0)
  const ids = readFileSync(join(dir, 'claims.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(',')[0] as string)
  t.equal(ids.length, N)
  const reviews = join(dir, 'reviews.csv')
  writeFileSync(reviews, 'claimId,verdict,note,evidenceUrl,evidenceStance\n' + ids.map((id, i) =>
    `${id},${i % 3 === 0 ? 'disputed' : 'corroborated'},"Checked, batch ${Math.floor(i / 1000)}",https://evidence.example/${i},`).join('\n') + '\n')

  const server = spawn(process.execPath, ['dist/server.js'], { cwd: root, env: { ...env, PORT: '0', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { server.kill('SIGKILL') })
  let log = ''
  server.stdout.on('data', (chunk) => { log += String(chunk) })
  while (!/Server listening at/.test(log)) await new Promise((resolve) => setTimeout(resolve, 50))
  const url = /Server listening at (http:\/\/[\d.:]+)/.exec(log)?.[1] as string

  // First run: killed as soon as a few batches are through.
  const first = cli('review', reviews, '--url', url, '--key', apiKey)
  while (!/batch 3\/10/.test(first.err()) && first.child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 10))
  first.child.kill('SIGKILL')
  await first.done
  t.match(first.err(), /batch 3\/10/, 'the kill came mid-way')

  // Rerun in other batches: the rows already applied are recognised by their clientRef.
  const second = cli('review', reviews, '--url', url, '--key', apiKey, '--batch-size', '700')
  t.equal(await second.done, 0, second.err())
  const [, now, before] = /^(\d+) rows: applied (\d+), applied before (\d+) \(not applied again\), rejected 0$/m.exec(second.out())?.slice(1) ?? []
  t.equal(Number(now) + Number(before), N, second.out())
  t.ok(Number(before) >= 3000, 'the batches through before the kill were not applied again')
  t.match(second.err(), /had been applied before/)

  server.kill('SIGTERM')
  await once(server, 'exit')
  const db = new Database(env.DATABASE_PATH, { readonly: true })
  t.teardown(() => db.close())
  t.same(db.prepare('SELECT review_count AS n, count(*) AS claims FROM claims GROUP BY review_count').all(), [{ n: 1, claims: N }],
    'every claim reviewed exactly once')
  t.equal((db.prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'claim.reviewed'").get() as { n: number }).n, N,
    'and every verdict is in the history once')
  const verify = cli('audit', 'verify')
  t.equal(await verify.done, 0)
  t.match(verify.out(), /"ok":true/)
})

t.test('review: bad rows are reported, not sent; --dry-run sends nothing; bad keys stop at once', async (t) => {
  const file = join(dir, 'mixed.ndjson')
  writeFileSync(file, [
    JSON.stringify({ claimId: 'x', verdict: 'disputed', note: 'no evidence' }),
    '{oops',
    JSON.stringify({ claimId: 'y', verdict: 'unverified', note: 'fine locally' })
  ].join('\n'))
  const dry = cli('review', file, '--dry-run', '--report', join(dir, 'report.ndjson'))
  t.equal(await dry.done, 1)
  t.match(dry.out(), '3 rows: would send 0, rejected 3')
  t.same(readFileSync(join(dir, 'report.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line)), [
    { claimId: 'x', verdict: 'disputed', note: 'no evidence', line: 1, reason: 'claimId must be a claim\'s UUID (got "x")' },
    { text: '{oops', line: 2, reason: 'not valid JSON (one JSON object a line)' },
    { claimId: 'y', verdict: 'unverified', note: 'fine locally', line: 3, reason: 'claimId must be a claim\'s UUID (got "y")' }
  ], 'each row as it was, with line and reason')
  const noKey = cli('review', file)
  t.equal(await noKey.done, 2)
  t.match(noKey.err(), /--key/)
})
