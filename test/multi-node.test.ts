/**
 * Several nodes, proven: three server processes (`node dist/server.js`, as deployed) on one
 * PostgreSQL database, driven at once over real sockets. Races on one claim's If-Match, the
 * same bulk request under the same Idempotency-Key on every node, overlapping imports, a key
 * revoked on one node and refused by the others, a node killed with SIGKILL mid-import; then
 * the audit chain verifies and every claim's version is its number of audit events.
 * Runs when TEST_DATABASE_URL names a server (skipped with one line locally, failed under CI).
 */
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import t from 'tap'
import { ADMIN_KEY, claimInput } from './helpers.js'
import { startServer, stop, type Running } from './process.js'
import { freshPostgres } from './support/postgres.js'

t.setTimeout(240_000)

const url = await freshPostgres(t)

/** A JSON request to a node as `key` (admin by default). */
async function call (base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}, key = ADMIN_KEY) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    signal: AbortSignal.timeout(60_000)
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, data: text === '' ? undefined : JSON.parse(text) }
}

const ndjson = (from: number, to: number, tag: string) => Array.from({ length: to - from }, (_, i) =>
  JSON.stringify(claimInput({ text: `${tag} claim number ${from + i}` }))).join('\n') + '\n'

const importOn = async (base: string, body: string) => await call(base, 'POST', '/v1/claims/import', body, { 'content-type': 'application/x-ndjson' })

if (url !== undefined) {
  const env = { DATABASE_URL: url, ADMIN_API_KEY: ADMIN_KEY, SEED: 'false', LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '1000000' }
  // Started together: they migrate and bootstrap the same empty database at the same moment.
  const nodes: Running[] = await Promise.all([startServer(env), startServer(env), startServer(env)])
  t.teardown(async () => {
    for (const node of nodes) if (node.child.exitCode === null && node.child.signalCode === null) await stop(node)
  })
  const bases = nodes.map((n) => n.base)
  const [a, b, c] = bases as [string, string, string]

  t.test('three nodes answer and agree that one admin key exists', async (t) => {
    for (const base of bases) t.equal((await call(base, 'GET', '/ready')).status, 200)
    const keys = await call(b, 'GET', '/v1/api-keys')
    t.equal(keys.data.items.length, 1, 'bootstrapped once, not once per node')
  })

  t.test('reviews racing with the same If-Match through all three nodes: exactly one wins per version', async (t) => {
    const claim = (await call(a, 'POST', '/v1/claims', claimInput({ text: 'Raced claim' }))).data
    for (let version = 1; version <= 3; version++) {
      const verdict = { verdict: 'unverified', note: `Round ${version}` }
      const results = await Promise.all(Array.from({ length: 24 }, async (_, i) =>
        await call(bases[i % 3] as string, 'POST', `/v1/claims/${claim.id as string}/reviews`, verdict, { 'if-match': `"${version}"` })))
      const statuses = results.map((r) => r.status).sort()
      t.same(statuses, [201, ...Array(23).fill(412)], `version ${version}: one 201, 23 × 412`)
    }
    t.equal((await call(c, 'GET', `/v1/claims/${claim.id as string}`)).data.version, 4)
  })

  t.test('the same bulk request under the same Idempotency-Key on every node is applied once', async (t) => {
    const created = await importOn(a, ndjson(0, 20, 'Bulk'))
    const ids = created.data.results.map((r: { id: string }) => r.id) as string[]
    const body = { items: ids.map((claimId) => ({ claimId, verdict: 'unverified', note: 'Bulk, once' })) }
    const answers = await Promise.all(bases.flatMap((base) => [0, 1].map(async () =>
      await call(base, 'POST', '/v1/reviews/bulk', body, { 'idempotency-key': 'multi-node-bulk-1' }))))
    t.same(answers.map((r) => r.status), Array(6).fill(200))
    t.equal(answers.filter((r) => r.headers.get('idempotent-replayed') !== 'true').length, 1, 'one applied, five replayed')
    t.ok(answers.every((r) => r.data.applied === 20), 'every answer is the stored one')
    for (const id of ids) t.equal((await call(bases[ids.indexOf(id) % 3] as string, 'GET', `/v1/claims/${id}`)).data.reviewCount, 1)
  })

  t.test('overlapping imports on three nodes make no duplicate claims', async (t) => {
    const results = await Promise.all([importOn(a, ndjson(0, 200, 'Overlap')), importOn(b, ndjson(100, 300, 'Overlap')), importOn(c, ndjson(50, 250, 'Overlap'))])
    t.same(results.map((r) => r.status), [200, 200, 200])
    const created = results.reduce((n, r) => n + (r.data.created as number), 0)
    const duplicates = results.reduce((n, r) => n + (r.data.duplicates as number), 0)
    t.equal(created, 300, 'each of the 300 claims created once')
    t.equal(duplicates, 300, 'and the 300 overlapping records found as duplicates')
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const { rows } = await client.query("SELECT count(*)::int AS n, count(DISTINCT text)::int AS texts FROM claims WHERE text LIKE 'Overlap claim number %'")
      t.same(rows[0], { n: 300, texts: 300 })
    } finally {
      await client.end()
    }
  })

  t.test('a key revoked on one node is refused by the others within a second', async (t) => {
    const key = (await call(a, 'POST', '/v1/api-keys', { name: 'multi-node viewer', role: 'viewer' })).data
    for (const base of [b, c]) t.equal((await call(base, 'GET', '/v1/me', undefined, {}, key.key)).status, 200, 'known (and cached) everywhere')
    t.equal((await call(a, 'DELETE', `/v1/api-keys/${key.id as string}`)).status, 204)
    const revoked = performance.now()
    const refusedAfter = await Promise.all([b, c].map(async (base) => {
      while (performance.now() - revoked < 5000) {
        if ((await call(base, 'GET', '/v1/me', undefined, {}, key.key)).status === 401) return performance.now() - revoked
        await sleep(20)
      }
      return Infinity
    }))
    for (const ms of refusedAfter) t.ok(ms <= 1100, `refused ${ms.toFixed(0)} ms after the revocation`)
  })

  t.test('a node killed with SIGKILL mid-import loses nothing it acknowledged', async (t) => {
    const victim = nodes[2] as Running
    // Single creates acknowledged by the victim while it imports a large file.
    const acknowledged: string[] = []
    const run = { writing: true }
    const writer = (async () => {
      for (let i = 0; run.writing && i < 2000; i++) {
        const res = await call(victim.base, 'POST', '/v1/claims', claimInput({ text: `Acknowledged claim ${i}` })).catch(() => undefined)
        if (res?.status === 201) acknowledged.push(res.data.id as string)
      }
    })()
    const importing = importOn(victim.base, ndjson(0, 5000, 'Killed import')).catch((error: unknown) => error)
    for (let i = 0; i < 400 && acknowledged.length < 20; i++) await sleep(25)
    const exited = once(victim.child, 'exit')
    victim.child.kill('SIGKILL')
    await exited
    run.writing = false
    await writer
    await importing
    t.ok(acknowledged.length >= 20, `${acknowledged.length} creates acknowledged before the kill`)
    for (const id of acknowledged) {
      const res = await call(a, 'GET', `/v1/claims/${id}`)
      if (res.status !== 200) t.fail(`acknowledged claim ${id} is lost (${res.status})`)
    }
    t.pass('every acknowledged claim is there, read through another node')
  })

  t.test('then the chain verifies, and every claim\'s version is its number of audit events', async (t) => {
    for (const base of [a, b]) t.match((await call(base, 'GET', '/v1/audit/verify')).data, { ok: true })
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const { rows } = await client.query(`SELECT c.id, c.version, count(e.seq)::int AS events FROM claims c
        LEFT JOIN audit_events e ON e.entity_type = 'claim' AND e.entity_id = c.id::text GROUP BY c.id, c.version HAVING c.version <> count(e.seq)`)
      const { rows: [total] } = await client.query('SELECT count(*)::int AS n FROM claims')
      t.same(rows, [], `all ${total.n as number} claims: version = audit events`)
    } finally {
      await client.end()
    }
  })

  t.test('the surviving nodes shut down cleanly on SIGTERM (requests drained, pool closed)', async (t) => {
    for (const node of nodes.slice(0, 2)) t.equal(await stop(node), 0)
  })
}
