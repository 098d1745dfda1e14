/**
 * Crash safety, proven the hard way: a real server process is killed with SIGKILL in the
 * middle of single writes, bulk reviews and an NDJSON import. After it, every write that
 * was acknowledged with a 2xx is there with its audit events, nothing exists without its
 * events, the chain verifies and seq has no gaps. Also: SIGTERM finishes in-flight requests.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { ADMIN_KEY, claimInput, ensureBuilt } from './helpers.js'

const root = ensureBuilt()
t.setTimeout(240_000)
const auth = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }

async function start (databasePath: string): Promise<{ child: ChildProcess, base: string }> {
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: root,
    env: { PATH: process.env.PATH, DATABASE_PATH: databasePath, PORT: '0', SEED: 'false', ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '1000000' },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let log = ''
  child.stdout?.on('data', (chunk) => { log += String(chunk) })
  for (let i = 0; i < 600 && !/Server listening at/.test(log); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  const base = /Server listening at (http:\/\/[\d.:]+)/.exec(log)?.[1]
  if (base === undefined) throw new Error('server did not start: ' + log)
  return { child, base }
}

/** What the database says after the crash, opened by a fresh process-independent handle. */
function inspect (databasePath: string) {
  const db = new Database(databasePath)
  try {
    const seqs = (db.prepare('SELECT seq FROM audit_events ORDER BY seq').all() as Array<{ seq: number }>).map((r) => r.seq)
    const orphans = (db.prepare(`SELECT
      (SELECT count(*) FROM claims c WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.entity_id = c.id AND e.action = 'claim.created')) +
      (SELECT count(*) FROM reviews r WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.entity_id = r.claim_id AND e.action = 'claim.reviewed'
         AND json_extract(e.changes, '$.review.to.id') = r.id)) AS n`).get() as { n: number }).n
    const has = (id: string) => db.prepare("SELECT 1 FROM claims c JOIN audit_events e ON e.entity_id = c.id AND e.action = 'claim.created' WHERE c.id = ?").get(id) !== undefined
    const reviewed = (id: string) => (db.prepare('SELECT count(*) AS n FROM reviews WHERE id = ?').get(id) as { n: number }).n === 1
    return { seqs, orphans, has, reviewed }
  } finally {
    // Closing later would keep the file locked; the checks above are done synchronously.
    setImmediate(() => db.close())
  }
}

async function post (base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { method: 'POST', headers: { ...auth, ...headers }, body: JSON.stringify(body) })
  return { status: res.status, body: await res.json().catch(() => undefined) as any }
}

const trials = 3
let survived = 0

for (let trial = 1; trial <= trials; trial++) {
  t.test(`kill -9 during single writes, bulk reviews and an import (trial ${trial})`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'claimledger-crash-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const path = join(dir, 'claims.db')
    const { child, base } = await start(path)
    const acknowledgedClaims: string[] = []
    const acknowledgedReviews: string[] = []
    const run = { stopped: false }

    // Seed claims to review.
    const seeded = await post(base, '/v1/claims/import', { items: Array.from({ length: 200 }, (_, i) => claimInput({ text: `Seed ${i}` })) })
    const seededIds = (seeded.body.results as Array<{ id: string }>).map((r) => r.id)

    const writers = Array.from({ length: 3 }, async (_, w) => {
      for (let i = 0; !run.stopped; i++) {
        try {
          const res = await post(base, '/v1/claims', claimInput({ text: `Writer ${w} claim ${i}` }))
          if (res.status === 201) acknowledgedClaims.push(res.body.id)
        } catch { return } // the server died mid-request: not acknowledged
      }
    })
    const reviewer = (async () => {
      for (let batch = 0; !run.stopped; batch++) {
        try {
          const items = seededIds.slice((batch * 20) % 200, (batch * 20) % 200 + 20)
            .map((claimId) => ({ claimId, verdict: 'unverified', note: `batch ${batch}` }))
          const res = await post(base, '/v1/reviews/bulk', { atomic: true, items }, { 'idempotency-key': `crash-${trial}-${batch}` })
          if (res.status === 200) acknowledgedReviews.push(...(res.body.results as Array<{ review: { id: string } }>).map((r) => r.review.id))
        } catch { return }
      }
    })()
    const importer = (async () => {
      const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify(claimInput({ text: `Imported ${i}` }))).join('\n')
      try {
        const res = await fetch(base + '/v1/claims/import', { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body: lines })
        if (res.status === 200) acknowledgedClaims.push(...((await res.json()) as { results: Array<{ id?: string }> }).results.flatMap((r) => r.id ?? []))
      } catch {}
    })()

    await new Promise((resolve) => setTimeout(resolve, 400 + trial * 300))
    child.kill('SIGKILL')
    run.stopped = true
    await Promise.all([...writers, reviewer, importer, once(child, 'exit')])
    t.ok(acknowledgedClaims.length > 0, `${acknowledgedClaims.length} claims and ${acknowledgedReviews.length} reviews acknowledged before the kill`)

    const after = inspect(path)
    t.same(after.seqs, after.seqs.map((_, i) => i + 1), 'seq has no gaps')
    t.equal(after.orphans, 0, 'no claim or review without its audit event')
    t.equal(acknowledgedClaims.filter((id) => !after.has(id)).length, 0, 'every acknowledged claim is there, with its event')
    t.equal(acknowledgedReviews.filter((id) => !after.reviewed(id)).length, 0, 'every acknowledged review is there')

    const restarted = await start(path)
    const verify = await fetch(restarted.base + '/v1/audit/verify', { headers: auth })
    t.match(await verify.json(), { ok: true })
    restarted.child.kill('SIGTERM')
    await once(restarted.child, 'exit')
    survived++
  })
}

t.test('SIGTERM: stops accepting, finishes the request in flight, checkpoints and closes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'claimledger-term-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'claims.db')
  const { child, base } = await start(path)
  // A streamed import whose body is still arriving when SIGTERM comes.
  let push: (chunk: string | null) => void = () => {}
  const body = new ReadableStream<Uint8Array>({
    start (controller) {
      push = (chunk) => { if (chunk === null) controller.close(); else controller.enqueue(new TextEncoder().encode(chunk)) }
    }
  })
  const inFlight = fetch(base + '/v1/claims/import', {
    method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body, duplex: 'half'
  } as RequestInit)
  push(JSON.stringify(claimInput({ text: 'Before SIGTERM' })) + '\n')
  await new Promise((resolve) => setTimeout(resolve, 200))
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  await new Promise((resolve) => setTimeout(resolve, 200))
  await t.rejects(fetch(base + '/health', { signal: AbortSignal.timeout(2000) }), 'no new connections once closing')
  push(JSON.stringify(claimInput({ text: 'After SIGTERM' })) + '\n')
  push(null)
  const res = await inFlight
  t.equal(res.status, 200)
  t.match(await res.json(), { created: 2 })
  const [code] = await exited
  t.equal(code, 0)
  t.ok(!existsSync(path + '-wal') || statSync(path + '-wal').size === 0, 'the WAL was checkpointed into the database')
  const db = new Database(path, { readonly: true })
  t.equal((db.prepare('SELECT count(*) AS n FROM claims').get() as { n: number }).n, 2)
  db.close()
})

t.teardown(() => { console.log(`# kill -9 trials survived with nothing lost: ${survived}/${trials}`) })
