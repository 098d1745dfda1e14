/**
 * The README as executable documentation: every ```sh block in it runs, in order, in one bash
 * session (`set -euo pipefail`), against a live server started as `npm start` starts it, in a
 * fresh folder where the server keeps its database at the default ./data/claims.db — what a
 * newcomer pasting the blocks one after another into a terminal would see. The only edits are
 * the ones the text asks the reader to make: the printed admin key for `clk_…`, and the
 * server's address for http://127.0.0.1:3000 (the test cannot count on port 3000 being free).
 *
 * A block may be left out only with a reason, written just above it as
 * `<!-- readme-test: skip — why -->` (the newcomer's own `npm ci && npm start`, the bench, the
 * watch mode); the test lists them so the list stays short.
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ensureBuilt } from './helpers.js'

const root = ensureBuilt()
t.setTimeout(240_000)

export interface Block { line: number, code: string, skip?: string }

/** The ```sh blocks of a markdown text, each with its line and the reason it is skipped, if any. */
export function shellBlocks (markdown: string): Block[] {
  const blocks: Block[] = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    // Fences may be indented (a block inside a list item); the block's lines lose that indent.
    const indent = /^( *)```(sh|bash|shell)\s*$/.exec(lines[i] as string)?.[1]
    if (indent === undefined) continue
    const start = i
    const body: string[] = []
    while (++i < lines.length && (lines[i] as string).trim() !== '```') body.push((lines[i] as string).slice(indent.length))
    const skip = /^\s*<!-- readme-test: skip — (.+) -->$/.exec(lines[start - 1] ?? '')?.[1]
    blocks.push({ line: start + 1, code: body.join('\n'), ...(skip === undefined ? {} : { skip }) })
  }
  return blocks
}

const hasJq = (() => {
  try { execFileSync('jq', ['--version']); return true } catch { return false }
})()
const skip = !hasJq && process.env.CI === undefined ? 'the README\'s examples use jq: install it (apt-get install jq) to run this test' : false

t.test('the README\'s shell blocks run as pasted against a live server', { skip }, async (t) => {
  const blocks = shellBlocks(readFileSync(join(root, 'README.md'), 'utf8'))
  t.same(blocks.filter((b) => b.skip !== undefined).map((b) => b.line).length <= 4, true, 'at most four blocks are skipped, each with a reason')
  t.ok(blocks.filter((b) => b.skip === undefined).length >= 5, 'the examples are there to run')

  const dir = mkdtempSync(join(tmpdir(), 'claimledger-readme-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  symlinkSync(join(root, 'bin'), join(dir, 'bin'))

  // `npm start` is `node dist/server.js`, run here from the newcomer's folder.
  const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<string, string | undefined>
  t.equal(scripts.start, 'node dist/server.js')
  t.equal(scripts.prestart, undefined, 'nothing runs before it: `npm start` starts at once (npm ci built dist/)')
  t.match(scripts.prepare, /\bnpm run build\b|\btsc\b/, '`npm ci` builds dist/')
  const server = spawn(process.execPath, [join(root, 'dist/server.js')], {
    cwd: dir, env: { PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(() => { server.kill('SIGKILL') })
  let log = ''
  server.stdout.on('data', (chunk) => { log += String(chunk) })
  server.stderr.on('data', (chunk) => { log += String(chunk) })
  for (const until = Date.now() + 30_000; !/Server listening at/.test(log) && Date.now() < until;) await new Promise((resolve) => setTimeout(resolve, 50))
  const base = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log)?.[1]
  const key = /│\s+(clk_\S+)/.exec(log)?.[1]
  t.ok(base, 'the server listens')
  t.ok(key, 'and printed its admin key once, as the README says')
  if (base === undefined || key === undefined) return

  const script = ['set -euo pipefail', ...blocks.filter((b) => b.skip === undefined).map((b) =>
    `echo "@@ README.md line ${b.line}" >&2\n` + b.code.replaceAll('clk_…', key).replaceAll('http://127.0.0.1:3000', base))].join('\n')
  const bash = spawn('bash', ['-c', script], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  bash.stdout.on('data', (chunk) => { stdout += String(chunk) })
  bash.stderr.on('data', (chunk) => { stderr += String(chunk) })
  const timer = setTimeout(() => bash.kill('SIGKILL'), 180_000)
  const code = await new Promise<number | null>((resolve) => bash.on('exit', resolve))
  clearTimeout(timer)
  const last = stderr.split('\n').filter((line) => line.startsWith('@@ ')).at(-1)
  t.equal(code, 0, `every block ran; the last one started was ${last}:\n${stderr.slice(-2000)}`)
  t.notMatch(stderr, /syntax error|unexpected EOF|command not found|No such file/, 'no shell errors')

  // Every request the examples made was answered as the README promises: no error statuses.
  const answered = log.split('\n').flatMap((line) => {
    try {
      const entry = JSON.parse(line) as { msg?: string, res?: { statusCode: number }, reqId?: string }
      return entry.msg === 'request completed' && entry.res !== undefined ? [entry] : []
    } catch { return [] }
  })
  const requests = new Map(log.split('\n').flatMap((line) => {
    try {
      const entry = JSON.parse(line) as { msg?: string, req?: { method: string, url: string }, reqId?: string }
      return entry.msg === 'incoming request' && entry.req !== undefined ? [[entry.reqId, `${entry.req.method} ${entry.req.url}`] as const] : []
    } catch { return [] }
  }))
  t.ok(answered.length >= 20, `${answered.length} requests answered`)
  t.same(answered.filter((e) => (e.res?.statusCode ?? 0) >= 400).map((e) => `${e.res?.statusCode} ${requests.get(e.reqId)}`), [],
    'no example got an error')
  t.match(stdout, /"status":\s*"corroborated"|"verdict":\s*"corroborated"/, 'the review examples ran')
})

t.test('shellBlocks finds blocks, their lines and skip reasons', async (t) => {
  const md = 'intro\n```sh\necho one\n```\n<!-- readme-test: skip — slow -->\n```sh\nnpm run bench\n```\n```json\n{}\n```\n' +
    '- item:\n\n  ```sh\n  echo two\n    indented\n  ```\n'
  t.same(shellBlocks(md), [{ line: 2, code: 'echo one' }, { line: 6, code: 'npm run bench', skip: 'slow' }, { line: 14, code: 'echo two\n  indented' }])
})
