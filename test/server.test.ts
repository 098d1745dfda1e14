/**
 * The real thing, as `npm start` runs it: build, then `node dist/server.js` in its own
 * process on a real socket (config from the environment, migrations, seed, first-start
 * key, graceful SIGTERM). Also the `claimledger` command from `bin/`.
 */
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { node, runToExit, startServer, stop } from './process.js'

t.setTimeout(180_000)

t.test('first start: migrates, seeds, prints one admin key, serves it over HTTP, stops on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'claimledger-server-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DATABASE_PATH: join(dir, 'nested', 'claims.db') }

  const first = await startServer(env)
  const key = /(clk_[A-Za-z0-9_-]{43})/.exec(first.output())?.[1]
  t.ok(key, 'the admin key is printed')
  const claims = await fetch(`${first.base}/v1/claims?limit=200`, { headers: { authorization: `Bearer ${key}` } })
  t.equal(claims.status, 200)
  t.match(claims.headers.get('x-request-id'), /\S/)
  const body = await claims.json() as { items: Array<{ status: string }> }
  t.ok(body.items.length >= 12, 'the seeded claims are served')
  t.ok(body.items.every((c) => c.status === 'unverified'))

  const docs = await fetch(`${first.base}/docs/`)
  t.equal(docs.status, 200)
  t.match(await docs.text(), /swagger/i)
  const spec = await fetch(`${first.base}/openapi.json`)
  t.equal(((await spec.json()) as { openapi: string }).openapi, '3.1.0')
  t.equal((await fetch(`${first.base}/v1/claims`)).status, 401)
  t.equal(await stop(first), 0, 'SIGTERM closes cleanly')

  const second = await startServer(env)
  t.notMatch(second.output(), /clk_/, 'no second key on a database that has keys')
  const again = await fetch(`${second.base}/v1/claims?limit=200`, { headers: { authorization: `Bearer ${key}` } })
  t.equal(((await again.json()) as { items: unknown[] }).items.length, body.items.length, 'seeds are not loaded twice')
  t.equal(await stop(second), 0)
})

t.test('ADMIN_API_KEY and SEED=false', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'claimledger-server-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const key = 'scripted-deployment-key-0123456789abcdef'
  const server = await startServer({ DATABASE_PATH: join(dir, 'claims.db'), ADMIN_API_KEY: key, SEED: 'false' })
  t.notMatch(server.output(), /clk_/, 'nothing printed: the operator chose the key')
  const me = await fetch(`${server.base}/v1/me`, { headers: { authorization: `Bearer ${key}` } })
  t.match(await me.json(), { role: 'admin' })
  const claims = await fetch(`${server.base}/v1/claims`, { headers: { authorization: `Bearer ${key}` } })
  t.same(((await claims.json()) as { items: unknown[] }).items, [], 'SEED=false loads nothing')
  t.equal(await stop(server), 0)
})

t.test('a bad configuration stops the start with one line naming the variable', async (t) => {
  const child = node(['dist/server.js'], { PORT: 'eighty' })
  let stderr = ''
  child.stderr.on('data', (chunk) => { stderr += String(chunk) })
  const [code] = await once(child, 'exit')
  t.equal(code, 1)
  t.equal(stderr.trim().split('\n').length, 1)
  t.match(stderr, /^Invalid configuration: PORT /)
})

t.test('the claimledger command writes through the services, so the audit log shows it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'claimledger-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DATABASE_PATH: join(dir, 'claims.db') }
  const run = async (...args: string[]) => {
    const child = node(['bin/claimledger.js', ...args], env)
    let stdout = ''
    child.stdout?.on('data', (chunk) => { stdout += String(chunk) })
    const [code] = await once(child, 'exit')
    return { code, stdout }
  }
  t.match(await run('migrate'), { code: 0, stdout: /up to date/ })
  t.match(await run('seed'), { code: 0, stdout: /seeded \d+ claim/ })
  t.match(await run('seed'), { code: 0, stdout: /seeded 0 claim\(s\) from 0 file\(s\); 1 file\(s\) loaded before/ })
  const created = await run('keys', 'create', '--name', 'desk', '--role', 'admin')
  const key = created.stdout.trim()
  t.match(key, /^clk_/)
  t.match(await run('audit', 'verify'), { code: 0, stdout: /"ok":true/ })

  const server = await startServer({ ...env, SEED: 'false' })
  const feed = await fetch(`${server.base}/v1/audit?action=apikey.created`, { headers: { authorization: `Bearer ${key}` } })
  const events = ((await feed.json()) as { items: Array<{ actor: { id: string }, changes: { name: { to: string } } }> }).items
  t.match(events.at(-1), { actor: { id: 'system:cli' }, changes: { name: { to: 'desk' } } })

  // Online backup while the server runs, then restore: serve the copy and verify its chain.
  const copy = join(dir, 'backup.db')
  t.match(await run('backup', copy), { code: 0, stdout: /chain ok/ })
  t.equal(await stop(server), 0)
  const restored = await startServer({ DATABASE_PATH: copy, SEED: 'false' })
  const verify = await fetch(`${restored.base}/v1/audit/verify`, { headers: { authorization: `Bearer ${key}` } })
  t.match(await verify.json(), { ok: true })
  const claims = await fetch(`${restored.base}/v1/claims?limit=200`, { headers: { authorization: `Bearer ${key}` } })
  t.ok(((await claims.json()) as { items: unknown[] }).items.length >= 12, 'the restored copy has the seeded claims')
  t.equal(await stop(restored), 0)
  t.equal((await run('keys', 'create', '--name', 'x', '--role', 'boss')).code, 1)
})

t.test('a new database is announced loudly and marked; once deleted, the start refuses instead of making a fresh one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'claimledger-server-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'claims.db')
  const env = { DATABASE_PATH: path, ADMIN_API_KEY: 'scripted-deployment-key-0123456789abcdef' }
  const warning = /"level":40,.*"msg":"created a NEW, EMPTY database/

  const first = await startServer(env)
  t.match(first.output(), warning, 'the first start warns that it created a database')
  t.ok(existsSync(`${path}.created`), 'and leaves a marker beside it')
  t.equal(await stop(first), 0)
  const second = await startServer(env)
  t.notMatch(second.output(), /NEW, EMPTY/, 'a start on the existing database does not')
  t.equal(await stop(second), 0)

  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true })
  const refused = await runToExit(['dist/server.js'], { ...env, PORT: '0' })
  t.equal(refused.code, 1)
  t.match(refused.stderr, new RegExp('^DATABASE_PATH ".*claims\\.db" is missing, but a Claimledger database was there .*' +
    'restore it from a backup, or delete the marker to start afresh with a new, empty database\n$'))
  t.notOk(existsSync(path), 'no fresh database was made')

  rmSync(`${path}.created`)
  const afresh = await startServer(env)
  t.match(afresh.output(), warning, 'with the marker deleted, it starts afresh, loudly')
  t.equal(await stop(afresh), 0)
})

t.test('a fatal signal ends the server by that signal, not with a graceful close that would loop on a real fault', async (t) => {
  for (const signal of ['SIGBUS', 'SIGSEGV', 'SIGILL', 'SIGFPE'] as const) {
    const server = await startServer({ DATABASE_PATH: ':memory:', ADMIN_API_KEY: 'scripted-deployment-key-0123456789abcdef' })
    const exited = once(server.child, 'exit')
    server.child.kill(signal)
    const [code, endedBy] = await exited
    t.equal(endedBy, signal, `${signal} ends the process`)
    t.equal(code, null)
    t.notMatch(server.output(), /shutting down/, `${signal} is not handled as a request to close`)
  }
})

t.test('a body over the limit gets its 413 problem+json over a real socket, never a reset (Node\'s fetch)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'claimledger-server-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const key = 'body-limit-test-key-0123456789abcdef'
  const server = await startServer({ DATABASE_PATH: join(dir, 'claims.db'), ADMIN_API_KEY: key, SEED: 'false' })
  t.teardown(() => { server.child.kill('SIGTERM') })
  const someId = '01890a5d-ac96-774b-bcce-b302099a8057'
  const endpoints: Array<[string, string]> = [['POST', '/v1/claims'], ['POST', '/v1/speakers'], ['POST', '/v1/sources'],
    ['POST', '/v1/reviews/bulk'], ['POST', '/v1/api-keys'], ['PATCH', `/v1/claims/${someId}`]]
  // The server used to answer before reading the body and close the socket, so the client's
  // write met a reset: intermittent, more often the bigger the body. Bounded: 2 rounds of 6
  // endpoints x 2 sizes x 2 framings, 4 at a time.
  const bodies = [2, 4].map((mib) => JSON.stringify({ text: 'x'.repeat(mib * 1024 * 1024) }))
  const chunked = (text: string) => new Blob([text]).stream()
  const outcomes: string[] = []
  const send = async (method: string, path: string, body: string, stream: boolean) => {
    try {
      const res = await fetch(server.base + path, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: stream ? chunked(body) : body,
        duplex: 'half'
      } as RequestInit)
      const problem = await res.json() as { status: number, instance: string }
      outcomes.push(`${res.status} ${res.headers.get('content-type')?.split(';')[0]} ${problem.status} ${problem.instance === path}`)
    } catch (error) {
      outcomes.push(`${method} ${path} (${stream ? 'chunked' : 'Content-Length'}): ${String((error as { cause?: unknown }).cause ?? error)}`)
    }
  }
  const requests = [0, 1].flatMap(() => endpoints.flatMap(([method, path]) =>
    bodies.flatMap((body) => [false, true].map((stream) => () => send(method, path, body, stream)))))
  for (let i = 0; i < requests.length; i += 4) await Promise.all(requests.slice(i, i + 4).map((request) => request()))
  t.equal(outcomes.length, 48)
  t.same(outcomes.filter((o) => o !== '413 application/problem+json 413 true'), [], 'every request got its 413 problem+json')
  t.equal((await fetch(`${server.base}/v1/me`, { headers: { authorization: `Bearer ${key}` } })).status, 200, 'the server still serves')
  t.equal(await stop(server), 0)
})

t.test('a DATABASE_URL that cannot be reached stops the start with one line naming it (no stack, no password)', async (t) => {
  // Port 1 on the loopback: nothing listens there, so the connection is refused at once.
  const { code, stderr } = await runToExit(['dist/server.js'], { DATABASE_URL: 'postgres://claimledger:s3cret-pw@127.0.0.1:1/claimledger', PORT: '0', LOG_LEVEL: 'silent' })
  t.equal(code, 1)
  t.match(stderr, /^DATABASE_URL failed: the database server cannot be reached/)
  t.equal(stderr.trim().split('\n').length, 1, 'one line')
  t.notMatch(stderr, /s3cret-pw|\n\s+at /, 'neither the password nor a stack')
})
