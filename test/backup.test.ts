/**
 * `backup` as a function (the CLI's is in cli-ops): the progress lines a run without a
 * terminal prints, and the time limit, which must leave neither the backup nor its partial file.
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { claimInput, ensureBuilt, harness } from './helpers.js'

// The backup runs SQLite in a worker thread, which loads the built worker file.
const root = ensureBuilt()
const { backup } = await import(join(root, 'dist/cli/backup.js')) as typeof import('../src/cli/backup.js')

t.test('without a terminal, progress is a line now and then', async (t) => {
  const h = await harness(t)
  for (let i = 0; i < 20; i++) await h.as('editor')('POST', '/v1/claims', claimInput({ text: `Progress ${i}` }))
  const lines: string[] = []
  const copy = await backup(h.config.databasePath, join(h.dir, 'copy.db'), { timeoutMs: 60_000, progress: false, log: (line) => lines.push(line), progressEveryMs: 0 })
  t.ok(copy.chain.ok)
  t.ok(lines.length > 0, `${lines.length} progress line(s)`)
  const odd = lines.filter((line) => !/^backup: \d+\.\d of about \d+\.\d MB copied$/.test(line))
  t.same(odd, [], 'each says how much is copied of how much')
})

t.test('a backup over its time limit stops with one message and leaves no file, partial or not', async (t) => {
  const h = await harness(t)
  const target = join(h.dir, 'late.db')
  await t.rejects(backup(h.config.databasePath, target, { timeoutMs: 1, progress: false, log: () => undefined }),
    { message: /^the backup did not finish within 0\.001 s \(--timeout\); nothing was written to .*late\.db$/ })
  t.notOk(existsSync(target), 'no backup')
  // The worker cannot be interrupted mid-copy; whatever it writes after the limit is removed when it ends.
  // Bounded: at least 2 s (the copy of this small database takes far less), at most 10 s.
  const settled = Date.now() + 2_000
  const until = Date.now() + 10_000
  while ((Date.now() < settled || readdirSync(h.dir).some((f) => f.startsWith('late.db'))) && Date.now() < until) await sleep(50)
  t.same(readdirSync(h.dir).filter((f) => f.startsWith('late.db')), [], 'no partial file once the worker is done')
})
